/**
 * MITRE ATT&CK technique names for the ids Bulwark's detectors cite (Enterprise matrix), and malware
 * families Bulwark can name. Unknown ids keep their id as name.
 * @module
 */
export const attackNames: Record<string, string> = {
  T1029: 'Scheduled Transfer',
  T1040: 'Network Sniffing',
  T1046: 'Network Service Discovery',
  T1071: 'Application Layer Protocol',
  'T1071.003': 'Application Layer Protocol: Mail Protocols',
  'T1078.001': 'Valid Accounts: Default Accounts',
  'T1090.003': 'Proxy: Multi-hop Proxy',
  T1110: 'Brute Force',
  'T1110.001': 'Brute Force: Password Guessing',
  T1133: 'External Remote Services',
  T1190: 'Exploit Public-Facing Application',
  'T1498.001': 'Network Denial of Service: Direct Network Flood',
  'T1498.002': 'Network Denial of Service: Reflection Amplification',
  'T1499.002': 'Endpoint Denial of Service: Service Exhaustion Flood',
  'T1499.003': 'Endpoint Denial of Service: Application Exhaustion Flood',
  T1552: 'Unsecured Credentials',
  T1557: 'Adversary-in-the-Middle',
  T1568: 'Dynamic Resolution',
  T1571: 'Non-Standard Port',
  T1573: 'Encrypted Channel',
  'T1595.001': 'Active Scanning: Scanning IP Blocks',
};

export function attackUrl(id: string): string {
  return `https://attack.mitre.org/techniques/${id.replace('.', '/')}/`;
}

/** Malware families by the lowercase name cases use (`botnet:<family>`). */
export const malwareFamilies: Record<string, { name: string; types: string[]; description: string }> = {
  mirai: { name: 'Mirai', types: ['bot', 'worm', 'ddos'], description: 'IoT botnet that spreads by brute-forcing telnet with a table of default credentials and floods on command.' },
};

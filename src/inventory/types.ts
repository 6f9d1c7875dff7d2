/**
 * Inventory stage contract: what Bulwark knows about each device, and why.
 * @module
 */

/** Device types Bulwark names (issue-level list; 'unknown' when the evidence does not allow a call). */
export const deviceTypes = [
  'camera', 'plug', 'bulb', 'hub', 'sensor', 'speaker', 'tv', 'thermostat', 'printer', 'router', 'phone',
  'computer', 'appliance', 'scale',
  // Industrial (OT): controllers, remote terminal units, operator stations, building automation.
  'plc', 'rtu', 'hmi', 'building-controller',
  'unknown',
] as const;
export type DeviceType = (typeof deviceTypes)[number];

/** One observation that helps identify a device, with where it came from (for evidence and explanations). */
export interface Evidence {
  /** Signal kind: 'oui', 'dhcp.hostname', 'dhcp.fingerprint', 'dhcp.vendor_class', 'mdns.service', 'mdns.txt',
   * 'ssdp.server', 'ssdp.usn', 'http.user_agent', 'http.server', 'tls.ja4', 'tls.ja3', 'tls.sni',
   * 'tcp.syn_signature', 'dns.query', 'mud_url', ... */
  signal: string;
  value: string;
  ts: number;
  file: string;
  packet: number;
}

/** Who decided a field: Bulwark's rules, its learned model, or the user (an override). */
export type Decider = 'rules' | 'model' | 'user';

export interface Identification {
  type: DeviceType;
  type_confidence: number;
  vendor?: string;
  /** Model name, or "one of A / B" when sibling models cannot be told apart. */
  model?: string;
  /** Firmware version a device reported through an identification service (Modbus 43/14, S7 SZL). */
  firmware?: string;
  /** Serial number a device reported (S7 component identification). */
  serial?: string;
  /** Industrial protocol roles seen: 'modbus server', 'dnp3 outstation', 's7comm client', ... */
  roles?: string[];
  /** Confidence in the model name when it is below the type's (shared between tied siblings). */
  model_confidence?: number;
  /** Plain-language reasons, strongest first: "DHCP host name 'DCS-930L'", "OUI D-Link". */
  because: string[];
  decided_by: Decider;
}

export interface IpBinding {
  ip: string;
  first_ts: number;
  last_ts: number;
  /** How the binding was learned: 'arp' | 'dhcp' | 'ndp' | 'traffic'. */
  source: string;
}

export interface ServiceRecord {
  transport: string;
  port: number;
  app?: string;
  flows: number;
}

/** JSON form of a device (devices.json, the API, the report). */
export interface DeviceRecord {
  /** Stable key: 'mac:<mac>' on the local segment, 'ip:<address>' where only layer 3 is seen. */
  id: string;
  mac?: string;
  /** OUI registry organisation for the MAC, absent when unknown or randomised. */
  oui_vendor?: string;
  /** Locally administered (randomised or virtual) MAC address. */
  mac_local: boolean;
  ips: IpBinding[];
  hostnames: string[];
  first_ts: number;
  last_ts: number;
  /** Private/link-local address space: on this network rather than on the Internet. */
  local: boolean;
  /** Ports it answers on. */
  services: ServiceRecord[];
  /** Remote ports and names it talks to. */
  talks_to: { ports: string[]; domains: string[] };
  flows_out: number;
  flows_in: number;
  bytes_out: number;
  bytes_in: number;
  peers_local: number;
  peers_remote: number;
  evidence: Evidence[];
  /** Evidence items dropped at the per-device cap. */
  evidence_dropped: number;
  identification: Identification;
  /** Name, type or vendor set by the user (shown as "set by user"). */
  user?: { name?: string; type?: DeviceType; vendor?: string };
  /**
   * What the input could not show about this device (set when it was built from exported flow records, not
   * packets): e.g. 'mac', 'hostnames', 'dhcp', 'tls', 'app_protocols'. Absent for packet analysis.
   */
  unobserved?: string[];
}

/** Looks a device up by address, for later stages (detectors name devices in findings). */
export interface DeviceLookup {
  byIp(ip: string): DeviceRecord | undefined;
  byMac(mac: string): DeviceRecord | undefined;
  /**
   * Only the id and MAC of the device byMac(mac) (when given) or else byIp(ip) would return, without building or
   * identifying its record (naming devices in findings needs no more).
   */
  refOf?(ip: string, mac?: string): { id: string; mac?: string } | undefined;
}

/** Plain-language names of identification signals (Evidence.signal). */
const words: Record<string, string> = {
  'oui': 'Network card maker (MAC prefix)',
  'dhcp.hostname': 'Name it gave itself (DHCP)',
  'dhcp.fingerprint': 'DHCP options it asks for',
  'dhcp.vendor_class': 'Vendor class (DHCP)',
  'mdns.service': 'Service it announces (mDNS)',
  'mdns.txt': 'Service details (mDNS)',
  'mdns.name': 'Name it announces (mDNS)',
  'ssdp.server': 'Software it reports (UPnP)',
  'ssdp.usn': 'UPnP device id',
  'http.user_agent': 'Web client it uses (User-Agent)',
  'http.server': 'Web server it runs',
  'tls.ja4': 'Encrypted-connection fingerprint (JA4)',
  'tls.ja3': 'Encrypted-connection fingerprint (JA3)',
  'tls.sni': 'Secure site it connects to',
  'tcp.syn_signature': 'Operating-system fingerprint (TCP)',
  'dns.query': 'Internet name it looks up',
  'mud_url': 'Manufacturer usage description (MUD)',
  'dhcp.options': 'DHCP options it asks for',
  'dhcp.param_list': 'DHCP options it asks for',
  'mdns.query': 'Name it looks up on the local network (mDNS)',
  'ssdp.search': 'UPnP service it looks for',
  'ssdp.type': 'UPnP device type it announces',
  'ssdp.notify': 'UPnP announcement',
  'tls.cert': 'Certificate it presents',
  'tls.certificate': 'Certificate it presents',
};

export function signalName(signal: string): string {
  return words[signal] ?? signal;
}

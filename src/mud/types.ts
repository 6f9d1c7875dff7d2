/**
 * MUD stage contract: the RFC 8520 MUD file in its JSON encoding (RFC 7951), typed member for member, and
 * Bulwark's sidecar that says where a profile came from, what was generalised, its review state and which
 * rules traffic used. The MUD document itself stays a plain standard file any MUD manager can read.
 * @module
 */

/** `type empty` in YANG JSON. */
export type Empty = [null];

export interface PortMatch {
  'lower-port'?: number;
  'upper-port'?: number;
  operator?: 'lte' | 'gte' | 'eq' | 'neq';
  port?: number;
}

export interface IpMatch {
  protocol?: number;
  dscp?: number;
  ecn?: number;
  length?: number;
  ttl?: number;
  ihl?: number;
  flags?: string;
  offset?: number;
  identification?: number;
  'flow-label'?: number;
  'destination-ipv4-network'?: string;
  'source-ipv4-network'?: string;
  'destination-ipv6-network'?: string;
  'source-ipv6-network'?: string;
  'ietf-acldns:src-dnsname'?: string;
  'ietf-acldns:dst-dnsname'?: string;
}

export interface L4Match {
  'source-port'?: PortMatch;
  'destination-port'?: PortMatch;
  'ietf-mud:direction-initiated'?: 'to-device' | 'from-device';
  [field: string]: unknown;
}

export interface MudClassMatch {
  manufacturer?: string;
  'same-manufacturer'?: Empty;
  model?: string;
  'local-networks'?: Empty;
  controller?: string;
  'my-controller'?: Empty;
}

export interface AceMatches {
  eth?: Record<string, unknown>;
  ipv4?: IpMatch;
  ipv6?: IpMatch;
  tcp?: L4Match;
  udp?: L4Match;
  icmp?: { type?: number; code?: number; 'rest-of-header'?: string };
  'ietf-mud:mud'?: MudClassMatch;
  'egress-interface'?: string;
  'ingress-interface'?: string;
}

export type Forwarding = 'accept' | 'drop' | 'reject';

export interface Ace {
  name: string;
  matches?: AceMatches;
  actions: { forwarding: string; logging?: string };
  statistics?: { 'matched-packets'?: number; 'matched-octets'?: number };
}

export interface Acl {
  name: string;
  type?: string;
  aces?: { ace?: Ace[] };
}

export interface Policy {
  'access-lists'?: { 'access-list'?: { name: string }[] };
}

export interface MudContainer {
  'mud-version': number;
  'mud-url': string;
  'last-update': string;
  'mud-signature'?: string;
  'cache-validity'?: number;
  'is-supported': boolean;
  systeminfo?: string;
  'mfg-name'?: string;
  'model-name'?: string;
  'firmware-rev'?: string;
  'software-rev'?: string;
  documentation?: string;
  extensions?: string[];
  'from-device-policy'?: Policy;
  'to-device-policy'?: Policy;
}

/** A MUD file (RFC 8520 section 2 and appendix A). */
export interface MudFile {
  'ietf-mud:mud': MudContainer;
  'ietf-access-control-list:acls'?: { acl?: Acl[] };
  [module: string]: unknown;
}

/** Review state of a device's profile: learned (nobody looked), accepted (a person agreed), locked (enforced). */
export type ProfileState = 'learned' | 'accepted' | 'locked';

/** Where the active MUD file of a device came from. */
export type ProfileSource = 'learned' | 'vendor' | 'edited';

/** One generalisation the learner made, in words and with what it covered. */
export interface Generalisation {
  kind: 'dns-name' | 'cdn-addresses' | 'ephemeral-source-port' | 'server-port-range' | 'local-class' | 'multicast-local' | 'unresolved-address' | 'skipped';
  rule?: string;
  detail: string;
}

/** Outcome of checking a vendor MUD file's CMS signature. */
export interface SignatureCheck {
  status: 'valid' | 'valid-chain-expired' | 'valid-unverified-signer' | 'invalid' | 'unsigned' | 'unverifiable';
  detail: string;
  signer?: string;
}

/** Per-rule traffic counts (the review's "used / never used"). */
export interface RuleUsage {
  flows: number;
  first_ts?: number;
  last_ts?: number;
}

/** `<mac12>.bulwark.json` beside `<mac12>.json`: everything about a profile that is not part of RFC 8520. */
export interface ProfileSidecar {
  /** Device MAC, colon form, lower case. */
  mac: string;
  state: ProfileState;
  source: ProfileSource;
  /** Local addresses the device used (for enforcement by address in the to-device direction). */
  addresses: string[];
  /** Devices named by the my-controller / controller classes (MAC or IP), as the user or learner set them. */
  controllers: { 'my-controller': string[]; controller: Record<string, string[]> };
  /** The device's manufacturer as the classes same-manufacturer/manufacturer compare it (OUI vendor by default). */
  manufacturer?: string;
  learned?: {
    captures: string[];
    flows: number;
    first_ts: number;
    last_ts: number;
    generalisations: Generalisation[];
  };
  /** The vendor file as imported (kept beside as `<mac12>.vendor.json`), with its origin and signature check. */
  vendor?: { url?: string; file: string; signature: SignatureCheck; imported: string };
  /** MUD URLs the device announced (DHCP option 161, X.509 extension), newest last. */
  announced_mud_urls: string[];
  /** ACE name → traffic that matched it, summed over the captures checked. */
  usage: Record<string, RuleUsage>;
  /** Flows no rule allowed (only counted; the findings say which). */
  unmatched_flows: number;
  history: { ts: string; action: string; detail?: string }[];
}

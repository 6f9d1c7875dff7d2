/**
 * Explainable identification rules: data tables of patterns over evidence signals → device type, vendor
 * and model, each with a weight (how much a match alone is worth, 0..1). Extend by adding rows.
 * @module
 */
import type { DeviceType } from './types.ts';
import { otRules } from './ot-rules.ts';

export interface Rule {
  /** Evidence signals the pattern is tried on (see Evidence.signal), or 'service' for 'tcp/554'-style ports answered. */
  signals: readonly string[];
  pattern: RegExp;
  type?: DeviceType;
  /** Vendor name; `$1` is replaced by the pattern's first group. */
  vendor?: string;
  /** Model name; `$1` is replaced by the pattern's first group. */
  model?: string;
  weight: number;
}

const HOST = ['dhcp.hostname', 'dns.ptr'];
const SSDP = ['ssdp.server', 'ssdp.usn', 'ssdp.type'];
const DOMAIN = ['dns.query', 'tls.sni', 'http.host'];
const UA = ['http.user_agent', 'ssdp.user_agent'];

const r = (signals: readonly string[], pattern: RegExp, weight: number, type?: DeviceType, vendor?: string, model?: string): Rule =>
  ({ signals, pattern, weight, type, vendor, model });

/** The rule table, most specific first (order only matters for which model name is shown). */
export const rules: readonly Rule[] = [
  // Network roles: the strongest facts there are.
  r(['gateway'], /./, 0.8, 'router'),
  r(['dhcp.server'], /./, 0.7, 'router'),
  r(['ndp.router_advert'], /./, 0.7, 'router'),
  r(SSDP, /InternetGatewayDevice|WANIPConnection|WFADevice/i, 0.8, 'router'),

  // OT protocols: the device says what it is (BACnet I-Am and its device object's properties).
  r(['bacnet.vendor'], /^(.{1,80})$/, 0.9, 'building-controller', '$1'),
  r(['bacnet.model'], /^(.{1,64})$/, 0.9, 'building-controller', undefined, '$1'),
  r(['bacnet.device'], /./, 0.9, 'building-controller'),

  // Host names that carry a model number.
  r(HOST, /^(DCS-\d{3,4}\w*?)(?:[_-]|$)/i, 0.9, 'camera', 'D-Link', '$1'),
  r(HOST, /^(DCH-S1[56]0)/i, 0.9, 'sensor', 'D-Link', '$1'),
  r(HOST, /^(DCH-S2[0-9]0)/i, 0.9, 'appliance', 'D-Link', '$1'),
  r(HOST, /^(DCH-G0\d0)/i, 0.9, 'hub', 'D-Link', '$1'),
  r(HOST, /^(DSP-W\d{3})/i, 0.9, 'plug', 'D-Link', '$1'),
  r(HOST, /^(HS1\d\d)\b/i, 0.9, 'plug', 'TP-Link', '$1'),
  r(HOST, /^(HS2\d\d)\b/i, 0.9, 'plug', 'TP-Link', '$1 switch'),
  r(HOST, /^(KL\d{2,3})/i, 0.85, 'bulb', 'TP-Link', '$1'),
  r(HOST, /^(LB1\d\d)/i, 0.85, 'bulb', 'TP-Link', '$1'),
  r(HOST, /^(SP-?[12]101W)/i, 0.85, 'plug', 'Edimax', '$1'),
  r(HOST, /^(IC-?\d{4}\w*)/i, 0.8, 'camera', 'Edimax', '$1'),
  r(HOST, /^wemo/i, 0.8, 'plug', 'Belkin', 'WeMo'),
  r(HOST, /^Philips-hue/i, 0.9, 'hub', 'Philips', 'Hue Bridge'),
  r(HOST, /^Lightify/i, 0.9, 'hub', 'Osram', 'Lightify gateway'),
  r(HOST, /^GainSpan/i, 0.4, undefined, 'GainSpan (Wi-Fi module)'),
  r(HOST, /^ESP[_-]/i, 0.4, undefined, 'Espressif (ESP8266 module)'),
  r(HOST, /^(android|galaxy|pixel|oneplus|redmi|huawei|iphone)/i, 0.8, 'phone'),
  r(HOST, /^ipad/i, 0.7, 'phone', 'Apple', 'iPad'),
  r(HOST, /^(desktop-|laptop-|[a-z]+-(pc|laptop|macbook|imac)|macbook|imac)/i, 0.75, 'computer'),
  r(HOST, /^(chromecast|google-home|nest-)/i, 0.7, 'speaker', 'Google'),
  r(HOST, /^(roku|firetv|amazon-|lgwebostv|samsung-?tv|bravia)/i, 0.8, 'tv'),
  r(HOST, /^(sonos|echo)/i, 0.8, 'speaker'),
  r(HOST, /^(hp[0-9a-f]{6}|npi[0-9a-f]{6}|epson|brn[0-9a-f]{12}|canon)/i, 0.85, 'printer'),
  r(HOST, /^(ecobee|thermostat|tado|honeywell)/i, 0.8, 'thermostat'),
  r(HOST, /(cam|ipcam|camera)/i, 0.5, 'camera'),

  // DHCP vendor class.
  r(['dhcp.vendor_class'], /^MSFT/, 0.6, 'computer', 'Microsoft Windows'),
  r(['dhcp.vendor_class'], /^android-dhcp/i, 0.7, 'phone', undefined, 'Android'),
  r(['dhcp.vendor_class'], /^dhcpcd-[\d.]+:.*Linux/i, 0.3, 'computer'),

  // UPnP: SERVER and USN/NT types.
  r(SSDP, /urn:Belkin:device:insight/i, 0.9, 'plug', 'Belkin', 'WeMo Insight Switch'),
  r(SSDP, /urn:Belkin:device:controllee/i, 0.9, 'plug', 'Belkin', 'WeMo Switch'),
  r(SSDP, /urn:Belkin:device:(bridge|lightswitch)/i, 0.85, 'hub', 'Belkin', 'WeMo Link'),
  r(SSDP, /IpBridge|hue-bridgeid|urn:schemas-upnp-org:device:basic.*hue/i, 0.9, 'hub', 'Philips', 'Hue Bridge'),
  r(SSDP, /Cellvision|alphapd/i, 0.8, 'camera', 'D-Link'),
  r(SSDP, /MediaRenderer|dial-multiscreen|urn:dial/i, 0.6, 'tv'),
  r(SSDP, /Sonos|ZonePlayer/i, 0.9, 'speaker', 'Sonos'),
  r(SSDP, /urn:schemas-upnp-org:device:Printer/i, 0.9, 'printer'),
  r(SSDP, /Roku/i, 0.9, 'tv', 'Roku'),
  r(SSDP, /SHP|Samsung.*TV|webOS|BRAVIA/i, 0.6, 'tv'),
  r(SSDP, /Windows|Microsoft-Windows/i, 0.5, 'computer'),
  r(['ssdp.user_agent'], /Android/i, 0.5, 'phone'),

  // mDNS service types and TXT model fields.
  r(['mdns.service'], /^_(ipp|ipps|printer|pdl-datastream|scanner|uscan)\._tcp$/, 0.85, 'printer'),
  r(['mdns.service'], /^_googlecast\._tcp$/, 0.6, 'tv', 'Google'),
  r(['mdns.service'], /^_(raop|spotify-connect|sonos)\._tcp$/, 0.6, 'speaker'),
  r(['mdns.service'], /^_airplay\._tcp$/, 0.5, 'tv'),
  r(['mdns.service'], /^_hue\._tcp$/, 0.9, 'hub', 'Philips', 'Hue Bridge'),
  r(['mdns.service'], /^_(companion-link|apple-mobdev2)\._tcp$/, 0.6, 'phone', 'Apple'),
  r(['mdns.service'], /^_(smb|afpovertcp|rfb|ssh|sftp-ssh|workstation)\._tcp$/, 0.6, 'computer'),
  r(['mdns.service'], /^_amzn-wplay\._tcp$/, 0.7, 'tv', 'Amazon'),
  r(['mdns.service'], /^_(dcs|dlink)/i, 0.5, 'camera', 'D-Link'),
  r(['mdns.txt'], /^md=(Chromecast.*)$/i, 0.9, 'tv', 'Google', '$1'),
  r(['mdns.txt'], /^md=(Google (?:Home|Nest).*)$/i, 0.9, 'speaker', 'Google', '$1'),
  r(['mdns.txt'], /^(?:ty|product|usb_mdl)=(.{2,40})$/i, 0.8, 'printer', undefined, '$1'),
  r(['mdns.txt'], /^(?:am|rpmd)=(AppleTV.*)$/i, 0.9, 'tv', 'Apple', '$1'),
  r(['mdns.txt'], /^(?:md|model|am)=(MacBook.*|iMac.*|Macmini.*)$/i, 0.9, 'computer', 'Apple', '$1'),
  r(['mdns.txt'], /^md=(.{2,40})$/i, 0.3, undefined, undefined, '$1'),

  // HTTP: server banners of embedded web servers, realms naming the model, client user agents.
  r(['http.server'], /alphapd/i, 0.7, 'camera', 'D-Link'),
  r(['http.server'], /Hikvision|DNVRS-Webs|App-webs/i, 0.8, 'camera', 'Hikvision'),
  r(['http.server'], /Boa\/|GoAhead|mini_httpd|thttpd|lighttpd/i, 0.2),
  r(['http.server'], /Microsoft-IIS/i, 0.5, 'computer'),
  r(['http.server', 'ssdp.server'], /HP HTTP Server|Virata-EmWeb|EPSON_Linux|CUPS\//i, 0.8, 'printer'),
  r(['http.realm'], /^(DCS-\d{3,4}\w*)/i, 0.9, 'camera', 'D-Link', '$1'),
  r(['http.realm'], /(ipcam|camera|netcam)/i, 0.6, 'camera'),
  r(UA, /iPhone|iPad|Android.*Mobile|Mobile.*Safari/i, 0.7, 'phone'),
  r(UA, /Windows NT|Macintosh|X11; (Linux|Ubuntu)|CrOS/i, 0.6, 'computer'),
  r(UA, /SmartTV|SMART-TV|Tizen|Web0S|webOS|BRAVIA|Roku|AFT[A-Z]/i, 0.8, 'tv'),
  r(UA, /Sonos/i, 0.9, 'speaker', 'Sonos'),
  r(UA, /Dalvik|android|okhttp|CFNetwork/i, 0.55, 'phone'),
  r(UA, /Nest|ecobee/i, 0.6, 'thermostat'),

  // Cloud services the device talks to: vendor mostly, type where the service is single-purpose.
  r(DOMAIN, /(^|\.)mydlink\.com$/i, 0.5, undefined, 'D-Link'),
  r(DOMAIN, /(^|\.)tplinkcloud\.com$/i, 0.6, undefined, 'TP-Link'),
  r(DOMAIN, /(^|\.)meethue\.com$/i, 0.7, 'hub', 'Philips', 'Hue Bridge'),
  r(DOMAIN, /(^|\.)xbcs\.net$|(^|\.)belkin\.com$/i, 0.5, undefined, 'Belkin'),
  r(DOMAIN, /(^|\.)(lightify-api\.org|osram\.(com|de))$/i, 0.5, 'hub', 'Osram'),
  r(DOMAIN, /(^|\.)fitbit\.com$/i, 0.5, undefined, 'Fitbit'),
  r(DOMAIN, /(^|\.)withings\.(net|com)$/i, 0.5, undefined, 'Withings'),
  r(DOMAIN, /(^|\.)edimax\.com$|(^|\.)myedimax\.com$/i, 0.5, undefined, 'Edimax'),
  r(DOMAIN, /(^|\.)(ecobee\.com|tado\.com|honeywell\.com)$/i, 0.6, 'thermostat'),
  r(DOMAIN, /(^|\.)(ring\.com|arlo\.com|wyze\.com|hik-connect\.com)$/i, 0.6, 'camera'),
  r(DOMAIN, /(^|\.)(sonos\.com)$/i, 0.6, 'speaker', 'Sonos'),
  r(DOMAIN, /(^|\.)(roku\.com)$/i, 0.6, 'tv', 'Roku'),
  r(DOMAIN, /(^|\.)(windowsupdate\.com|update\.microsoft\.com)$/i, 0.5, 'computer', 'Microsoft Windows'),

  // The registry entry itself (weak: vendors make many kinds of device).
  r(['oui'], /Mobile Communications|Mobile Telecommunications|Xiaomi Communications|OnePlus|Huawei Device/i, 0.35, 'phone'),
  r(['oui'], /Raspberry Pi/i, 0.3, 'computer', 'Raspberry Pi'),

  // Services it answers on.
  r(['service'], /^tcp\/554$/, 0.4, 'camera'),
  r(['service'], /^tcp\/(9100|631|515)$/, 0.6, 'printer'),
  r(['service'], /^tcp\/8009$/, 0.5, 'tv'),
  r(['service'], /^tcp\/1400$/, 0.5, 'speaker'),
  r(['service'], /^udp\/(53|67)$/, 0.4, 'router'),
  ...otRules,
];

/** How a signal is named in explanations. */
export const signalNames: Record<string, string> = {
  'dhcp.hostname': 'DHCP host name',
  'dns.ptr': 'DNS PTR name',
  'dhcp.vendor_class': 'DHCP vendor class',
  'dhcp.fingerprint': 'DHCP fingerprint',
  'ssdp.server': 'SSDP SERVER',
  'ssdp.usn': 'SSDP USN',
  'ssdp.type': 'UPnP device type',
  'ssdp.user_agent': 'SSDP USER-AGENT',
  'mdns.service': 'mDNS service',
  'mdns.txt': 'mDNS TXT',
  'http.server': 'HTTP Server',
  'http.realm': 'HTTP auth realm',
  'http.user_agent': 'HTTP User-Agent',
  'dns.query': 'DNS query',
  'tls.sni': 'TLS SNI',
  'http.host': 'HTTP Host',
  gateway: 'gateway',
  'dhcp.server': 'DHCP server',
  'ndp.router_advert': 'IPv6 router',
  service: 'answers on',
  oui: 'OUI',
  mud_url: 'MUD URL',
  'ot.role': 'industrial protocol role',
  'ot.order_number': 'order number',
  'ot.model': 'reported model',
  'bacnet.device': 'BACnet',
  'bacnet.vendor': 'BACnet vendor',
  'bacnet.model': 'BACnet model name',
  'opcua.application_uri': 'OPC UA application URI',
  'opcua.application_name': 'OPC UA application name',
};

// Writes src/app/bacnet/names.json and src/app/opcua/names.json from the value strings Wireshark's dissectors
// carry (`tshark -G values`): the ASHRAE BACnet vendor-id registry, BACnet object types, property identifiers,
// services, error classes/codes, reject/abort reasons, and the OPC UA binary-encoding ids of the services.
// Run again after a Wireshark upgrade: `node scripts/gen-ot-names.ts`. Numbers are the keys; names are kept
// exactly as Wireshark spells them.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

const out = execFileSync('tshark', ['-G', 'values'], { encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
const version = execFileSync('tshark', ['-v'], { encoding: 'utf8' }).split('\n')[0].trim();
const table = new Map<string, Record<string, string>>();
for (const line of out.split('\n')) {
  const [kind, field, value, name] = line.split('\t');
  if (kind !== 'V' || name === undefined) continue;
  let t = table.get(field);
  if (!t) table.set(field, (t = {}));
  t[value] = name;
}
const pick = (field: string): Record<string, string> => {
  const t = table.get(field);
  if (!t) throw new Error(`tshark has no value strings for ${field}`);
  return t;
};

const bacnet = {
  source: `${version}, tshark -G values (bacapp.* fields); vendor ids: the ASHRAE BACnet vendor-id registry as Wireshark carries it`,
  vendors: pick('bacapp.vendor_identifier'),
  object_types: pick('bacapp.objectType'),
  properties: pick('bacapp.property_identifier'),
  confirmed_services: pick('bacapp.confirmed_service'),
  unconfirmed_services: pick('bacapp.unconfirmed_service'),
  error_classes: pick('bacapp.error_class'),
  error_codes: pick('bacapp.error_code'),
  reject_reasons: pick('bacapp.reject_reason'),
  abort_reasons: pick('bacapp.abort_reason'),
};
writeFileSync('src/app/bacnet/names.json', JSON.stringify(bacnet, null, 1) + '\n');

const opcua = {
  source: `${version}, tshark -G values (opcua.servicenodeid.numeric: binary encoding ids of service requests and responses)`,
  services: pick('opcua.servicenodeid.numeric'),
};
writeFileSync('src/app/opcua/names.json', JSON.stringify(opcua, null, 1) + '\n');
console.log(`wrote src/app/bacnet/names.json (${Object.keys(bacnet.vendors).length} vendors) and src/app/opcua/names.json (${Object.keys(opcua.services).length} services)`);

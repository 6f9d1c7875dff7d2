// Drives real BACnet/IP stacks (@bacnet-js/client, installed outside the project) so that dumpcap records
// test/traces/bacnet/bacnet-js-control.pcap. Run by capture-bacnet-js.sh, which starts each role in a network
// namespace of its own (device 192.168.78.10, workstation 192.168.78.20, rogue host 192.168.78.30) joined by a
// bridge in the device's namespace. @bacnet-js/client is not a Bulwark dependency.
//   device:      answers Who-Is, ReadProperty of its device object, WriteProperty, DeviceCommunicationControl
//                (password 'bms-2024'; others get Error password-failure) and ReinitializeDevice
//   workstation: Who-Is, reads the device object (ReadProperty x5, ReadPropertyMultiple x1), writes analog-value 1
//                present-value (its normal job) 3 times
//   rogue:       writes binary-output 1 present-value, WritePropertyMultiple analog-output 2 (out-of-service,
//                present-value), DeviceCommunicationControl disable (wrong, then right password), ReinitializeDevice
const mod = process.env.BACNET_MODULE ?? '@bacnet-js/client';
const lib = await import(mod);
const Client = lib.default.default ?? lib.default;
const role = process.argv[2];
const me = process.env.MY_IP;
const device = { address: '192.168.78.10' };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const client = new Client({ interface: me, port: 47808, broadcastAddress: '192.168.78.255', apduTimeout: 2000 });
const T = { CHAR: 7, REAL: 4, ENUM: 9, UINT: 2, OBJID: 12 };
const DEVICE = 8;
const INSTANCE = 260001;

if (role === 'device') {
  const props = {
    77: { type: T.CHAR, value: 'AHU-3 supply air controller' }, 70: { type: T.CHAR, value: 'BW-DDC-400' },
    44: { type: T.CHAR, value: '4.1.7' }, 12: { type: T.CHAR, value: '2.3.0' }, 121: { type: T.CHAR, value: 'Bulwark test devices' },
    120: { type: T.UINT, value: 260 }, 58: { type: T.CHAR, value: 'plant room 2' },
  };
  const sender = (c) => ({ address: c.header.sender.address });
  // I-Am goes to the local broadcast address, as devices answer a Who-Is.
  client.on('whoIs', () => client.iAmResponse({ address: '192.168.78.255' }, INSTANCE, 3, 260));
  client.on('readProperty', (c) => {
    const { objectId, property } = c.payload;
    const v = objectId.type === DEVICE ? props[property.id] : { type: T.REAL, value: 21.5 };
    if (!v) return client.errorResponse(sender(c), c.service, c.invokeId, 2, 32);
    client.readPropertyResponse(sender(c), c.invokeId, objectId, property, [v]);
  });
  client.on('writeProperty', (c) => client.simpleAckResponse(sender(c), c.service, c.invokeId));
  client.on('writePropertyMultiple', (c) => client.simpleAckResponse(sender(c), c.service, c.invokeId));
  client.on('readPropertyMultiple', (c) => {
    const values = c.payload.properties.map((spec) => ({
      objectId: spec.objectId,
      values: spec.properties.map((p) => {
        const v = spec.objectId.type === DEVICE ? props[p.id] : undefined;
        // An unknown property comes back as a property-access error: property (2) / unknown-property (32).
        return { property: { id: p.id, index: 0xffffffff }, value: v ? [v] : [{ value: { type: 'BacnetError', errorClass: 2, errorCode: 32 } }] };
      }),
    }));
    client.readPropertyMultipleResponse(sender(c), c.invokeId, values);
  });
  client.on('deviceCommunicationControl', (c) => {
    if (c.payload.password === 'bms-2024') client.simpleAckResponse(sender(c), c.service, c.invokeId);
    else client.errorResponse(sender(c), c.service, c.invokeId, 4, 26);
  });
  client.on('reinitializeDevice', (c) => client.simpleAckResponse(sender(c), c.service, c.invokeId));
  console.log('device ready');
  process.on('SIGTERM', () => { client.close(); process.exit(0); });
} else {
  const run = async (what, p) => {
    try { await p; console.log(`${role}: ${what} ok`); } catch (err) { console.log(`${role}: ${what}: ${String(err).slice(0, 100)}`); }
  };
  await sleep(500);
  if (role === 'workstation') {
    client.whoIs();
    await sleep(500);
    for (const prop of [77, 70, 44, 12, 121]) await run(`read ${prop}`, client.readProperty(device, { type: DEVICE, instance: INSTANCE }, prop));
    // One ReadPropertyMultiple of the device object: model, firmware, location and serial-number (372, not kept).
    const refs = [70, 44, 58, 372].map((id) => ({ id, index: 0xffffffff }));
    await run('read multiple', client.readPropertyMultiple(device, [{ objectId: { type: DEVICE, instance: INSTANCE }, properties: refs }]));
    for (const v of [21, 21.5, 22]) {
      await run(`write av1 ${v}`, client.writeProperty(device, { type: 2, instance: 1 }, 85, [{ type: T.REAL, value: v }], { priority: 8 }));
      await sleep(200);
    }
  } else {
    await run('write bo1 active', client.writeProperty(device, { type: 4, instance: 1 }, 85, [{ type: T.ENUM, value: 1 }], { priority: 1 }));
    // WritePropertyMultiple: analog-output 2 taken out of service and set to 100 %.
    await run('write multiple ao2', client.writePropertyMultiple(device, [{ objectId: { type: 1, instance: 2 }, values: [
      { property: { id: 81, index: 0xffffffff }, value: [{ type: 1, value: true }], priority: 16 },
      { property: { id: 85, index: 0xffffffff }, value: [{ type: T.REAL, value: 100 }], priority: 1 },
    ] }]));
    await run('dcc disable (wrong password)', client.deviceCommunicationControl(device, 60, 1, { password: 'admin' }));
    await run('dcc disable', client.deviceCommunicationControl(device, 60, 1, { password: 'bms-2024' }));
    await run('reinitialize warmstart', client.reinitializeDevice(device, 1, { password: 'bms-2024' }));
  }
  client.close();
}

// Drives a real OPC UA server and client (node-opcua, installed outside the project) so that dumpcap records the
// sessions test/traces/opcua/node-opcua-sessions.pcap holds. Run by capture-node-opcua.sh, which starts
// `server` and `client` in two network namespaces of its own joined by a veth pair (192.168.77.10 / .20);
// node-opcua is not a Bulwark dependency, the script only exists to make the trace again.
// Sessions, in order:
//   1. SecurityPolicy None / mode None, anonymous identity, one Read
//   2. None / None, user name 'operator' (the server's user-name token policy encrypts the password or not, as it says)
//   3. None / None, user name with a wrong password (rejected)
//   4. Basic256Sha256 / Sign, anonymous (signed, readable)
//   5. Basic256Sha256 / SignAndEncrypt, user name (encrypted)
//   6. Basic256Sha256 / Sign, X.509 user identity (the client's own certificate; the server decides)
//   7. a raw HEL asking for a 1,024-byte receive buffer (below the 8,192 minimum): the server answers ERR
const mod = process.env.OPCUA_MODULE ?? 'node-opcua';
const ua = await import(mod);
const { OPCUAServer, OPCUAClient, MessageSecurityMode, SecurityPolicy, UserTokenType, AttributeIds } = ua;

const pki = process.env.PKI_DIR ?? '/tmp/otb-gen/pki';
const role = process.argv[2];
const serverIp = process.env.SERVER_IP ?? '127.0.0.1';
if (role === 'server') {
const server = new OPCUAServer({
  port: 4840,
  hostname: serverIp,
  securityModes: [MessageSecurityMode.None, MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt],
  securityPolicies: [SecurityPolicy.None, SecurityPolicy.Basic256Sha256],
  allowAnonymous: true,
  userManager: { isValidUser: (user, password) => user === 'operator' && password === 'plant-floor-1' },
  serverInfo: { applicationUri: 'urn:bulwark:test:opcua-server', productUri: 'urn:bulwark:test', applicationName: { text: 'Bulwark OPC UA test server', locale: 'en' } },
  buildInfo: { productName: 'Bulwark OPC UA test server', manufacturerName: 'Bulwark tests', softwareVersion: '1.0.0' },
  serverCertificateManager: undefined,
  certificateFile: undefined,
  privateKeyFile: undefined,
  pkiDir: `${pki}/server`,
});
await server.initialize();
if (server.serverCertificateManager?.initialize) await server.serverCertificateManager.initialize();
await server.start();
console.log('server ready');
// The client script ends the server by SIGTERM.
process.on('SIGTERM', () => server.shutdown(100).then(() => process.exit(0)));
} else {
const url = `opc.tcp://${serverIp}:4840`;

async function session(securityPolicy, securityMode, identity) {
  const client = OPCUAClient.create({
    applicationName: 'Bulwark OPC UA test client', applicationUri: 'urn:bulwark:test:opcua-client', securityPolicy, securityMode,
    endpointMustExist: false, connectionStrategy: { maxRetry: 0 }, clientCertificateManager: undefined,
  });
  await client.connect(url);
  try {
    const s = await client.createSession(identity);
    await s.read({ nodeId: 'ns=0;i=2256', attributeId: AttributeIds.Value });
    await s.close();
  } catch (err) {
    console.log(`session refused as expected? ${String(err).slice(0, 120)}`);
  }
  await client.disconnect();
}

await session(SecurityPolicy.None, MessageSecurityMode.None, { type: UserTokenType.Anonymous });
await session(SecurityPolicy.None, MessageSecurityMode.None, { type: UserTokenType.UserName, userName: 'operator', password: 'plant-floor-1' });
await session(SecurityPolicy.None, MessageSecurityMode.None, { type: UserTokenType.UserName, userName: 'operator', password: 'wrong-guess' });
await session(SecurityPolicy.Basic256Sha256, MessageSecurityMode.Sign, { type: UserTokenType.Anonymous });
await session(SecurityPolicy.Basic256Sha256, MessageSecurityMode.SignAndEncrypt, { type: UserTokenType.UserName, userName: 'operator', password: 'plant-floor-1' });
// X.509 user identity: the client application certificate doubles as the user certificate.
{
  const client = OPCUAClient.create({ applicationName: 'Bulwark OPC UA test client', applicationUri: 'urn:bulwark:test:opcua-client',
    securityPolicy: SecurityPolicy.Basic256Sha256, securityMode: MessageSecurityMode.Sign, endpointMustExist: false, connectionStrategy: { maxRetry: 0 } });
  await client.connect(url);
  try {
    const { readFileSync } = await import('node:fs');
    const { createPrivateKey } = await import('node:crypto');
    const pem = readFileSync(`${client.clientCertificateManager.rootDir}/own/private/private_key.pem`, 'utf8');
    const s = await client.createSession({ type: UserTokenType.Certificate, certificateData: client.getCertificate(), privateKey: createPrivateKey(pem) });
    await s.close();
  } catch (err) {
    console.log(`x509 session: ${String(err).slice(0, 120)}`);
  }
  await client.disconnect();
}
// A HEL below the protocol's minimum buffer size (IEC 62541-6 7.1.2.3: 8,192 bytes), sent on a plain socket.
{
  const net = await import('node:net');
  const endpoint = Buffer.from(url);
  const hel = Buffer.alloc(32 + endpoint.length);
  hel.write('HELF', 0, 'latin1');
  hel.writeUInt32LE(hel.length, 4);
  hel.writeUInt32LE(0, 8);
  hel.writeUInt32LE(1024, 12);
  hel.writeUInt32LE(1024, 16);
  hel.writeUInt32LE(0, 20);
  hel.writeUInt32LE(0, 24);
  hel.writeInt32LE(endpoint.length, 28);
  endpoint.copy(hel, 32);
  await new Promise((resolve) => {
    const sock = net.connect(4840, serverIp, () => sock.write(hel));
    sock.on('data', (d) => console.log(`raw HEL answered: ${d.subarray(0, 4).toString('latin1')}`));
    sock.on('close', resolve);
    sock.on('error', resolve);
    setTimeout(() => sock.destroy(), 2000);
  });
}
console.log('done');
}

/**
 * Writes http-secrets.generated.pcap: GENERATED (not captured) HTTP/1.1 exchanges that carry secrets in every
 * place the redaction list (src/events/secrets.ts) names — a form password, a Bearer token, a bare token as the
 * whole Authorization value, a proprietary scheme, an X-Api-Key header, secret query parameters in the target
 * and the Referer, a session id in a redirect, an RTSP DESCRIBE with user:password@ in its URL and Basic credentials — from a local device (192.168.1.31) to a cloud server
 * (203.0.113.80, RFC 5737). Message formats from RFC 9110/9112. Deterministic.
 *   node_modules/.bin/node test/traces/app-web/http-secrets.generate.ts
 * @module
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ethernet, ip, ipv4, pcapFile, tcp, type Frame } from '../detect-net/pcap-writer.ts';

const T0 = 1704067200;
const client = ip('192.168.1.31');
const server = ip('203.0.113.80');
const clientMac = [0x02, 0, 0, 0, 0, 0x31];
const routerMac = [0x02, 0, 0, 0, 0, 0x01];
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** [request, response, server port] triples, one TCP connection each; the secrets are the values tests look for. */
export const exchanges: [string, string, number?][] = [
  ['POST /login HTTP/1.1\r\nHost: cloud.example.com\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 34\r\n\r\nuser=admin&password=Sup3rS3cret%21',
    'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'],
  ['GET /api/status HTTP/1.1\r\nHost: cloud.example.com\r\nAuthorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.ZRrHA1JJJW8opsbCGfG_HACGpVUMN_a9IV7pAx_Zmeo\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'],
  ['GET /cgi-bin/poll HTTP/1.1\r\nHost: cloud.example.com\r\nAuthorization: 6f1ed002ab5595859014ebf0951522d9\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'],
  ['GET /v1/devices HTTP/1.1\r\nHost: cloud.example.com\r\nAuthorization: SessionToken 8f14e45fceea167a5a36\r\nX-Api-Key: k-77aa99cc11dd\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'],
  ['GET /snapshot.jpg?user=cam&session_id=c0ffee1122&size=2 HTTP/1.1\r\nHost: cloud.example.com\r\nReferer: http://cloud.example.com/view?token=r3f3rr3dT0k\r\n\r\n',
    'HTTP/1.1 302 Found\r\nLocation: /home?sid=l0cat10nS1d\r\nContent-Length: 0\r\n\r\n'],
  ['DESCRIBE rtsp://admin:Rt5pUrlPw@203.0.113.80:554/stream1?token=rt5pT0k3n RTSP/1.0\r\nCSeq: 2\r\nAuthorization: Basic YWRtaW46UnQ1cFA0c3M=\r\n\r\n',
    'RTSP/1.0 200 OK\r\nCSeq: 2\r\n\r\n', 554],
];

function build(): Frame[] {
  const frames: Frame[] = [];
  let t = T0;
  let id = 1;
  exchanges.forEach(([request, response, port = 80], i) => {
    const sport = 50000 + i;
    const req = enc(request);
    const res = enc(response);
    let cs = 1000 * (i + 1);
    let ss = 9000 * (i + 1);
    const out = (flags: number, payload?: Uint8Array) => frames.push({ ts: (t += 0.01), bytes: ethernet(clientMac, routerMac, ipv4(client, server, 6, tcp(client, server, { sport, dport: port, seq: cs, ack: ss, flags, payload }), id++)) });
    const back = (flags: number, payload?: Uint8Array) => frames.push({ ts: (t += 0.01), bytes: ethernet(routerMac, clientMac, ipv4(server, client, 6, tcp(server, client, { sport: port, dport: sport, seq: ss, ack: cs, flags, payload }), id++)) });
    out(0x02);
    cs++;
    back(0x12);
    ss++;
    out(0x10);
    out(0x18, req);
    cs += req.length;
    back(0x18, res);
    ss += res.length;
    out(0x11);
    cs++;
    back(0x11);
    ss++;
    out(0x10);
  });
  return frames;
}

export const pcapPath = fileURLToPath(new URL('./http-secrets.generated.pcap', import.meta.url));
export const buildPcap = (): Uint8Array => pcapFile(build());

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) writeFileSync(pcapPath, buildPcap());

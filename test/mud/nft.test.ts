// Enforcement: `bulwark mud nft` output passes `nft -c -f`, and loaded into a router namespace the test builds
// (device ns ⇄ router ns ⇄ server ns, veth pairs created inside the namespaces, 10.200.x addresses that exist
// only there) it lets the allowed connection through and blocks the rest. Needs root, ip and nft.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveProfile, emptySidecar } from '../../src/mud/store.ts';
import type { MudFile } from '../../src/mud/types.ts';

const bin = new URL('../../bin/bulwark.js', import.meta.url).pathname;
const have = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const root = process.getuid?.() === 0;
const canNetns = root && have('ip') && have('nft') && spawnSync('ip', ['netns', 'list']).status === 0;

const deviceMac = '02:00:5e:10:00:01';
const tag = `bwm${process.pid % 100000}`;
const ns = { dev: `${tag}-dev`, gw: `${tag}-gw`, srv: `${tag}-srv` };

/** A locked profile: the device may open TCP 8080 to allowed.example (and nothing else, nothing inbound). */
function profiles(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-nft-'));
  const mud: MudFile = {
    'ietf-mud:mud': {
      'mud-version': 1, 'mud-url': 'https://bulwark.invalid/mud/test', 'last-update': '2026-01-01T00:00:00+00:00', 'is-supported': true,
      systeminfo: 'enforcement test device',
      'from-device-policy': { 'access-lists': { 'access-list': [{ name: 'fr' }] } },
      'to-device-policy': { 'access-lists': { 'access-list': [{ name: 'to' }] } },
    },
    'ietf-access-control-list:acls': {
      acl: [
        { name: 'fr', type: 'ipv4-acl-type', aces: { ace: [{ name: 'web-fr', matches: { ipv4: { 'ietf-acldns:dst-dnsname': 'allowed.example', protocol: 6 }, tcp: { 'ietf-mud:direction-initiated': 'from-device', 'destination-port': { operator: 'eq', port: 8080 } } }, actions: { forwarding: 'accept' } }] } },
        { name: 'to', type: 'ipv4-acl-type', aces: { ace: [{ name: 'web-to', matches: { ipv4: { 'ietf-acldns:src-dnsname': 'allowed.example', protocol: 6 }, tcp: { 'ietf-mud:direction-initiated': 'from-device', 'source-port': { operator: 'eq', port: 8080 } } }, actions: { forwarding: 'accept' } }] } },
      ],
    },
  };
  assert.deepEqual(saveProfile(dir, { mud, sidecar: { ...emptySidecar(deviceMac), state: 'locked', addresses: ['10.200.1.2'] } }), []);
  writeFileSync(join(dir, 'hosts'), '10.200.2.2 allowed.example\n');
  return dir;
}

function ruleset(dir: string, format = 'nft'): string {
  return execFileSync(process.execPath, [bin, 'mud', 'nft', '--profiles', dir, '--hosts', join(dir, 'hosts'), '--no-resolve', '--format', format], { encoding: 'utf8' });
}

test('the ruleset and the fw4 snippet pass nft -c', { skip: !(root && have('nft')) && 'needs root and nft' }, () => {
  const dir = profiles();
  const text = ruleset(dir);
  assert.match(text, /ether saddr 02:00:5e:10:00:01 jump dev_02005e100001_from/);
  assert.match(text, /elements = \{ 10\.200\.2\.2 \}/);
  assert.match(text, /counter drop comment "locked profile: default drop"/);
  writeFileSync(join(dir, 'r.nft'), text);
  execFileSync('nft', ['-c', '-f', join(dir, 'r.nft')]);
  // fw4 includes /etc/nftables.d/*.nft inside `table inet fw4 { ... }`.
  writeFileSync(join(dir, 'fw4.nft'), `table inet fw4 {\n${ruleset(dir, 'fw4')}\n}\n`);
  execFileSync('nft', ['-c', '-f', join(dir, 'fw4.nft')]);
});

const sh = (...args: string[]): void => {
  execFileSync('ip', args, { stdio: 'ignore' });
};
const inNs = (name: string, cmd: string[]): ReturnType<typeof spawnSync> => spawnSync('ip', ['netns', 'exec', name, ...cmd], { timeout: 10_000 });

/** Can `from` open a TCP connection to ip:port within 1.5 s? */
function connects(from: string, ip: string, port: number): boolean {
  const code = `const s=require('net').connect(${port},'${ip}');s.setTimeout(1500,()=>process.exit(2));s.on('connect',()=>{s.destroy();process.exit(0);});s.on('error',()=>process.exit(3));`;
  return inNs(from, [process.execPath, '-e', code]).status === 0;
}

const servers: ChildProcess[] = [];
after(() => {
  for (const s of servers) s.kill();
  for (const n of Object.values(ns)) spawnSync('ip', ['netns', 'del', n]);
});

test('enforced in network namespaces: allowed traffic passes, the rest is dropped', { skip: !canNetns && 'needs root, ip netns and nft' }, async () => {
  for (const n of Object.values(ns)) sh('netns', 'add', n);
  // Each veth pair is created with its two ends directly in the test's namespaces.
  sh('-n', ns.dev, 'link', 'add', 'eth0', 'address', deviceMac, 'type', 'veth', 'peer', 'name', 'lan0', 'netns', ns.gw);
  sh('-n', ns.srv, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'wan0', 'netns', ns.gw);
  for (const [n, dev, addr] of [[ns.dev, 'eth0', '10.200.1.2/24'], [ns.gw, 'lan0', '10.200.1.1/24'], [ns.gw, 'wan0', '10.200.2.1/24'], [ns.srv, 'eth0', '10.200.2.2/24']]) {
    sh('-n', n, 'addr', 'add', addr, 'dev', dev);
    sh('-n', n, 'link', 'set', dev, 'up');
  }
  for (const n of Object.values(ns)) sh('-n', n, 'link', 'set', 'lo', 'up');
  sh('-n', ns.dev, 'route', 'add', 'default', 'via', '10.200.1.1');
  sh('-n', ns.srv, 'route', 'add', 'default', 'via', '10.200.2.1');
  assert.equal(inNs(ns.gw, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']).status, 0);
  // Clients exit right after connecting: the servers ignore the resets that follow.
  const serve = (ports: number[]): string => `for (const p of [${ports.join(',')}]) require('net').createServer((s) => { s.on('error', () => {}); s.end('hi'); }).listen(p, '0.0.0.0');`;
  servers.push(spawn('ip', ['netns', 'exec', ns.srv, process.execPath, '-e', serve([8080, 9090])], { stdio: 'ignore' }));
  servers.push(spawn('ip', ['netns', 'exec', ns.dev, process.execPath, '-e', serve([22])], { stdio: 'ignore' }));
  await new Promise((r) => setTimeout(r, 600));
  // Without the ruleset everything connects (the control).
  assert.ok(connects(ns.dev, '10.200.2.2', 8080));
  assert.ok(connects(ns.dev, '10.200.2.2', 9090));
  assert.ok(connects(ns.srv, '10.200.1.2', 22));
  const dir = profiles();
  writeFileSync(join(dir, 'r.nft'), ruleset(dir));
  assert.equal(inNs(ns.gw, ['nft', '-f', join(dir, 'r.nft')]).status, 0);
  assert.ok(connects(ns.dev, '10.200.2.2', 8080), 'allowed: TCP 8080 to allowed.example');
  assert.ok(!connects(ns.dev, '10.200.2.2', 9090), 'blocked: TCP 9090, no rule');
  assert.ok(!connects(ns.srv, '10.200.1.2', 22), 'blocked: inbound to the locked device');
  const counters = inNs(ns.gw, ['nft', 'list', 'chain', 'inet', 'bulwark_mud', 'dev_02005e100001_from']).stdout.toString();
  assert.match(counters, /packets [1-9]\d* bytes \d+ accept comment "web-fr"/);
  assert.match(counters, /packets [1-9]\d* bytes \d+ drop comment "locked profile: default drop"/);
});

/**
 * A central `bulwark serve --consume` as a child process (so a test can kill -9 it), and the comparison of
 * what it stores with what a sensor's own analysis holds.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DeviceRecord } from '../../src/inventory/types.ts';
import type { Finding } from '../../src/detect/types.ts';
import type { Case } from '../../src/findings/types.ts';
import { foldFinding } from '../../src/store/sources.ts';

export const bulwarkBin = new URL('../../bin/bulwark.js', import.meta.url).pathname;

export class Central {
  readonly url: string;
  private readonly child: ChildProcess;
  readonly log: string[];

  private constructor(child: ChildProcess, url: string, log: string[]) {
    this.child = child;
    this.url = url;
    this.log = log;
  }

  /** Start serve on a free port, consuming from `nats`; `args` name the store (and the configuration). */
  static async start(nats: string, args: string[]): Promise<Central> {
    const child = spawn(process.execPath, [bulwarkBin, 'serve', ...args, '--port', '0', '--no-profiles', '--consume', nats], { stdio: ['ignore', 'pipe', 'pipe'] });
    const log: string[] = [];
    child.stderr!.on('data', (d: Buffer) => log.push(d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
        if (m) resolve(`http://127.0.0.1:${m[1]}`);
      });
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${log.join('')}`)));
    });
    return new Central(child, url, log);
  }

  async get<T = unknown>(path: string): Promise<T> {
    const res = await fetch(this.url + path);
    assert.equal(res.status, 200, `${path}: ${res.status}`);
    return (await res.json()) as T;
  }

  async sensors(): Promise<{ site: string; sensor: string; last_seq: number; version: string | null; packets: number | null; spool_overflow: number | null }[]> {
    return (await this.get<{ items: Awaited<ReturnType<Central["sensors"]>> }>('/api/sensors')).items;
  }

  /** Wait until the store has applied `seq` of site/sensor. */
  async until(site: string, sensor: string, seq: number, ms = 60_000): Promise<void> {
    const end = Date.now() + ms;
    for (;;) {
      const s = (await this.sensors()).find((x) => x.site === site && x.sensor === sensor);
      if (s && s.last_seq >= seq) return;
      if (Date.now() > end) throw new Error(`${site}/${sensor}: seq ${seq} not applied (at ${s?.last_seq}); serve said: ${this.log.join('')}`);
      await sleep(50);
    }
  }

  /** Sum of every stored flow count (flow buckets are added per batch: a batch applied twice would show). */
  async flows(): Promise<number> {
    const t = await this.get<{ series: Record<string, number[]> }>('/api/timeseries?metric=flows&bucket=31536000');
    return Object.values(t.series).flat().reduce((a, b) => a + b, 0);
  }

  kill9(): Promise<void> {
    return this.end('SIGKILL');
  }

  stop(): Promise<void> {
    return this.end('SIGTERM');
  }

  private async end(signal: NodeJS.Signals): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const ended = new Promise((r) => this.child.once('exit', r));
    this.child.kill(signal);
    await ended;
  }
}

const scoped = (site: string, id: string | undefined): string | undefined => (id === undefined ? undefined : `${site}/${id}`);

/**
 * The central store holds exactly what the sensor's analysis holds: every device and every finding, each
 * field equal, with ids in the site's namespace; and nothing more of that site.
 * `outputOnly` names fields the JSON outputs add to a finding (findings.json's timestamps).
 */
export async function assertSameAsSensor(central: Central, site: string, devices: readonly DeviceRecord[], sensorFindings: readonly Finding[], outputOnly: readonly string[] = []): Promise<void> {
  // A finding raised again after it closed is a second occurrence with the same id: the store shows one
  // finding per id, folded as for a capture file (the latest occurrence's state, counts added).
  const byId = new Map<string, Finding[]>();
  for (const f of sensorFindings) byId.set(f.id, [...(byId.get(f.id) ?? []), f]);
  const findings = [...byId.values()].map((list) => (list.length === 1 ? list[0] : foldFinding(list.map((f) => ({ source: 'sensor', occurrence: f.occurrence ?? 1, record: f })))));
  const stored = (await central.get<{ items: DeviceRecord[]; total: number }>('/api/devices?limit=500')).items.filter((d) => d.id.startsWith(`${site}/`));
  assert.deepEqual(stored.map((d) => d.id).sort(), devices.map((d) => scoped(site, d.id)).sort(), `${site}: device ids`);
  for (const d of devices) {
    const c = await central.get<Record<string, unknown>>(`/api/devices/${encodeURIComponent(scoped(site, d.id)!)}`);
    for (const [k, v] of Object.entries(d)) assert.deepEqual(c[k], k === 'id' ? scoped(site, d.id) : v, `${site}: device ${d.id} field ${k}`);
  }
  const storedFindings = (await central.get<{ items: { id: string }[] }>('/api/findings?limit=500')).items.filter((f) => f.id.startsWith(`${site}/`));
  assert.deepEqual(storedFindings.map((f) => f.id).sort(), findings.map((f) => scoped(site, f.id)).sort(), `${site}: finding ids`);
  for (const f of findings) {
    const c = await central.get<Record<string, unknown>>(`/api/findings/${encodeURIComponent(scoped(site, f.id)!)}?full=true`);
    for (const [k, v] of Object.entries(f)) {
      if (outputOnly.includes(k)) continue;
      const want = k === 'id' ? scoped(site, f.id) : k === 'devices' ? f.devices.map((x) => ({ ...x, ...(x.device_id ? { device_id: scoped(site, x.device_id) } : {}) })) : v;
      if (k === 'devices') {
        // A peer the sensor named by address only may be given its namespaced device id by the store.
        const got = (c.devices as Finding['devices']).map(({ device_id, ...rest }) => ({ ...rest, ...(device_id && f.devices.find((x) => x.ip === rest.ip)?.device_id ? { device_id } : {}) }));
        assert.deepEqual(got, want, `${site}: finding ${f.id} devices`);
      } else assert.deepEqual(c[k], want, `${site}: finding ${f.id} field ${k}`);
    }
  }
}

/**
 * Cases of the central API (built from the stored findings) against the sensor's cases: same ids,
 * classification, severity, score, summary, times, findings, timeline and ATT&CK techniques, and the same
 * devices by role and address. The title and device names are left out: the API builds cases from the
 * findings alone, without the device records (so its titles carry no device names, for ingested captures too).
 */
export async function assertSameCases(central: Central, site: string, cases: readonly Case[]): Promise<void> {
  const stored = (await central.get<{ items: Case[] }>('/api/cases?limit=500')).items.filter((c) => c.findings.some((f) => f.startsWith(`${site}/`)));
  assert.equal(stored.length, cases.length, `${site}: cases`);
  for (const local of cases) {
    const c = stored.find((x) => x.id === local.id);
    assert.ok(c, `${site}: case ${local.id} stored`);
    for (const k of ['classification', 'severity', 'score', 'summary', 'compromised', 'first_ts', 'last_ts', 'attack'] as const) assert.deepEqual(c[k], local[k], `${site}: case ${local.id} ${k}`);
    assert.deepEqual(c.findings, local.findings.map((f) => scoped(site, f)), `${site}: case ${local.id} findings`);
    assert.deepEqual(c.timeline, local.timeline.map((t) => ({ ...t, finding: scoped(site, t.finding) })), `${site}: case ${local.id} timeline`);
    const pick = (d: Case['devices'][number]): unknown => ({ role: d.role, ip: d.ip, subject: d.subject, findings: d.findings, mac: d.mac });
    assert.deepEqual(c.devices.map(pick), local.devices.map(pick), `${site}: case ${local.id} devices`);
  }
}

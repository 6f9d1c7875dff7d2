/**
 * ot.bacnet-control: BACnet commands that take control of a building controller: ReinitializeDevice (restart,
 * backup/restore), DeviceCommunicationControl disable (silence it), and writes of present-value (or another
 * watched property) from a host not seen controlling that device before. Hosts in `allowlist` may do all three.
 * Each finding names the command, the client, the server and the device instance, with the device's answers.
 * @module
 */
import type { Detector, EvidenceRef, Severity } from '../types.ts';
import type { EventRecord } from '../../pipeline/analyze.ts';
import { BoundedMap } from '../lib/bounded-map.ts';
import { evidenceOf } from '../lib/net.ts';
import { secretHint } from '../lib/redact.ts';

interface Options extends Record<string, unknown> {
  allowlist: string[];
  watchedProperties: string[];
  learnSeconds: number;
  maxDevices: number;
  maxControllersPerDevice: number;
  maxPending: number;
}

type Command = 'reinitialize' | 'communication_control' | 'write';

interface Pending {
  command: Command;
  key: string;
  data: Record<string, string | number>;
  evidence: EvidenceRef;
  ts: number;
  client: string;
  server: string;
}

interface Tally {
  accepted: number;
  refused: number;
  unanswered: number;
  last: string;
}

/** "accepted 3×, refused 1× (password-failure)" over every request of one finding. */
function outcomeText(t: Tally): string {
  const parts: string[] = [];
  if (t.accepted > 0) parts.push(`accepted ${t.accepted}×`);
  if (t.refused > 0) parts.push(`refused ${t.refused}× (${t.last})`);
  if (t.unanswered > 0) parts.push(`no answer seen ${t.unanswered}×`);
  return parts.join(', ');
}

const detector: Detector<Options> = {
  id: 'ot.bacnet-control',
  description: 'BACnet ReinitializeDevice, DeviceCommunicationControl disable, and writes of present-value (WriteProperty or WritePropertyMultiple) from a host not seen controlling that device before (allowlist option): restarts, silencing and manual override of building controllers.',
  category: 'policy',
  severity: 'high',
  confidence: 0.9,
  references: {
    attack: ['T0816', 'T0814', 'T0855', 'T0836', 'T0831', 'T0803'],
    iec62443: ['SR 1.1', 'SR 1.2', 'SR 2.1', 'SR 3.1', 'SR 5.1', 'SR 7.1'],
    other: ['https://attack.mitre.org/techniques/T0816/', 'https://attack.mitre.org/techniques/T0855/', 'https://attack.mitre.org/techniques/T0836/'],
  },
  options: {
    allowlist: { default: [], description: 'Client IPs allowed to reinitialize, silence and write to BACnet devices (engineering workstations, the BMS server). When set, writes from any other host are reported and nothing is learned.' },
    watchedProperties: { default: ['present-value', 'out-of-service'], description: 'Properties whose writes are judged (an out-of-service input is decoupled from its sensor).' },
    learnSeconds: { default: 0, description: "Seconds after a device's first watched write during which every writer is learned as its controller (0: the first writer only)." },
    maxDevices: { default: 10000, description: 'Devices whose instance number and controllers are remembered.' },
    maxControllersPerDevice: { default: 16, description: 'Controllers learned per device.' },
    maxPending: { default: 4096, description: 'Requests waiting for the device\'s answer (Simple-ACK, Error, Reject, Abort).' },
  },
  messages: {
    reinitialize: {
      title: '{client} sent ReinitializeDevice ({state}) to BACnet device {device_instance} at {server}',
      explanation: 'ReinitializeDevice {state} from {client} to {server} (BACnet device {device_instance}), {count} request(s) from {first_seen} to {last_seen}; the device answered: {outcome}. A coldstart or warmstart restarts the controller and stops the plant it runs for that time; backup and restore states replace its configuration. The only protection is a password, and BACnet sends it in clear ({password}). Unless {client} is the engineering workstation that does this, block it and change the device password; allow known hosts with the allowlist option.',
    },
    communication_control: {
      title: '{client} told BACnet device {device_instance} at {server} to {enable_disable} communication',
      explanation: 'DeviceCommunicationControl {enable_disable} ({duration}) from {client} to {server} (BACnet device {device_instance}), {count} request(s) from {first_seen} to {last_seen}; the device answered: {outcome}. A silenced controller keeps running but stops answering and reporting: operators lose sight of it (denial of view) while it can still be commanded. The password travels in clear ({password}). Unless {client} is an engineering workstation doing maintenance, block it.',
    },
    write: {
      title: '{client} wrote {property} of {object} on BACnet device {device_instance} at {server}',
      explanation: '{client} wrote {property} = {value} (priority {priority}, {service}) of {object} on {server} (BACnet device {device_instance}), {count} write(s) from {first_seen} to {last_seen}; the device answered: {outcome}. {client} was not seen controlling this device before (its controllers: {controllers}). A write to present-value at a high priority overrides what the control program commands: a fan, a valve or a lock does what the writer wants. Confirm the operator; add the host to the allowlist if it is legitimate.',
    },
  },
  subscribes: ['bacnet.i_am', 'bacnet.read_property_ack', 'bacnet.reinitialize_device', 'bacnet.device_communication_control', 'bacnet.write_property', 'bacnet.write_property_multiple', 'bacnet.apdu'],
  needs: 'packets',
  create(ctx, options) {
    const allow = new Set(options.allowlist);
    const watched = new Set(options.watchedProperties);
    const instances = new BoundedMap<string, number>(options.maxDevices);
    const controllers = new BoundedMap<string, { since: number; hosts: Set<string> }>(options.maxDevices);
    /** Requests by client, server and invoke id (a WritePropertyMultiple puts several under one id). */
    const pending = new BoundedMap<string, { packet: number; items: Pending[] }>(options.maxPending);
    const tallies = new BoundedMap<string, Tally>(options.maxPending);

    const instanceOf = (ip: string): string => {
      const i = instances.get(ip);
      return i === undefined ? '(instance not seen)' : String(i);
    };

    function report(p: Pending, outcome: 'accepted' | 'refused' | 'unanswered', result: string, ts: number): void {
      const tally = tallies.getOrCreate(p.key, () => ({ accepted: 0, refused: 0, unanswered: 0, last: '' }));
      tally[outcome]++;
      if (outcome === 'refused') tally.last = result;
      const severity: Severity = outcome === 'refused' ? 'medium' : 'high';
      ctx.report({
        messageId: p.command, key: p.key, ts,
        data: { ...p.data, client: p.client, server: p.server, device_instance: instanceOf(p.server), outcome: outcomeText(tally) },
        devices: [{ role: 'attacker', ip: p.client }, { role: 'victim', ip: p.server }],
        evidence: p.evidence, severity, confidence: outcome === 'unanswered' ? 0.8 : undefined,
        facts: { command: p.command, outcome, result, device_instance: instances.get(p.server) ?? null },
      });
    }

    function request(ev: EventRecord, command: Command, what: string, data: Record<string, string | number>): void {
      const client = String(ev.src_ip ?? '');
      const server = String(ev.dst_ip ?? '');
      const p: Pending = { command, key: `${command}|${what}|${client}|${server}`, data, evidence: evidenceOf(ev), ts: ev.ts, client, server };
      const id = `${client}|${server}|${Number(ev.invoke_id)}`;
      const earlier = pending.get(id);
      if (earlier?.packet === ev.packet) {
        if (earlier.items.length < 64) earlier.items.push(p);
        return;
      }
      // The invoke id is reused before an answer came: the earlier request went unanswered.
      if (earlier) for (const e of earlier.items) report(e, 'unanswered', '', e.ts);
      pending.set(id, { packet: ev.packet, items: [p] });
    }

    function answer(ev: EventRecord): void {
      const type = ev.pdu_type;
      if (type !== 'simple_ack' && type !== 'error' && type !== 'reject' && type !== 'abort') return;
      const id = `${String(ev.dst_ip ?? '')}|${String(ev.src_ip ?? '')}|${Number(ev.invoke_id)}`;
      const p = pending.get(id);
      if (!p) return;
      pending.delete(id);
      for (const e of p.items) report(e, type === 'simple_ack' ? 'accepted' : 'refused', String(ev.result ?? type), ev.ts);
    }

    const password = (ev: EventRecord): string => (typeof ev.password === 'string' ? `password ${secretHint(ev.password)}` : 'no password');

    /** One watched property written (WriteProperty, or one item of a WritePropertyMultiple). */
    function write(ev: EventRecord, w: Record<string, unknown>, service: string): void {
      const property = String(w.property ?? '');
      if (!watched.has(property)) return;
      const client = String(ev.src_ip ?? '');
      const server = String(ev.dst_ip ?? '');
      if (allow.has(client)) return;
      let known: string[] = [...allow];
      if (allow.size === 0) {
        const c = controllers.getOrCreate(server, () => ({ since: ev.ts, hosts: new Set<string>() }));
        if (c.hosts.has(client)) return;
        if (ev.ts - c.since <= options.learnSeconds && c.hosts.size < options.maxControllersPerDevice) {
          c.hosts.add(client);
          return;
        }
        known = [...c.hosts];
      }
      const object = `${String(w.object_type)} ${Number(w.object_instance)}`;
      request(ev, 'write', `${object}|${property}`, {
        property, object, service, value: String(w.value ?? '?').slice(0, 64), priority: typeof w.priority === 'number' ? w.priority : 'default (16)',
        controllers: known.length > 0 ? known.slice(0, 4).join(', ') : 'none',
      });
    }

    return {
      onEvent(ev) {
        switch (ev.type) {
          case 'bacnet.i_am':
            if (typeof ev.device_instance === 'number') instances.set(String(ev.src_ip), ev.device_instance);
            return;
          case 'bacnet.read_property_ack':
            if (ev.object_type === 'device' && typeof ev.object_instance === 'number' && ev.object_instance !== 4194303) instances.set(String(ev.src_ip), ev.object_instance);
            return;
          case 'bacnet.reinitialize_device':
            if (allow.has(String(ev.src_ip))) return;
            request(ev, 'reinitialize', String(ev.state), { state: String(ev.state), password: password(ev) });
            return;
          case 'bacnet.device_communication_control':
            if (ev.enable_disable === 'enable' || allow.has(String(ev.src_ip))) return;
            request(ev, 'communication_control', String(ev.enable_disable), {
              enable_disable: String(ev.enable_disable), password: password(ev),
              duration: typeof ev.duration_minutes === 'number' ? `for ${ev.duration_minutes} min` : 'indefinitely',
            });
            return;
          case 'bacnet.write_property':
            write(ev, ev as Record<string, unknown>, 'WriteProperty');
            return;
          case 'bacnet.write_property_multiple':
            if (Array.isArray(ev.writes)) for (const w of (ev.writes as unknown[]).slice(0, 64)) if (w && typeof w === 'object') write(ev, w as Record<string, unknown>, 'WritePropertyMultiple');
            return;
          case 'bacnet.apdu':
            answer(ev);
            return;
        }
      },
      finish() {
        for (const p of pending.values()) for (const e of p.items) report(e, 'unanswered', '', e.ts);
        pending.clear();
      },
    };
  },
};

export default detector;

/**
 * ot.device-control: commands that change what an industrial device is, rather than a process value:
 * restart (Modbus diagnostics restart communications, DNP3 cold/warm restart, initialize application),
 * silence (Modbus force listen only), stop/start (S7 PLC stop, P_PROGRAM, DNP3 start/stop application),
 * program download, activation or deletion (S7 download, _INSE/_DELE), program upload (S7), file
 * operations (DNP3 file functions, Modbus write file record), configuration and clock changes.
 * @module
 */
import type { Detector, Severity } from '../types.ts';
import { otCommand, otCommandClassifiers, type OtControlAction } from '../lib/ot-commands.ts';

interface Options extends Record<string, unknown> {
  actions: string[];
  allowlist: string[];
}

const severity: Record<OtControlAction, Severity> = {
  stop: 'critical', restart: 'high', silence: 'high', program_download: 'critical', program_change: 'critical', start: 'high',
  program_upload: 'medium', file_operation: 'high', configuration: 'medium', clock: 'low',
};

const why: Record<OtControlAction, string> = {
  stop: 'Stopping a controller halts the process it runs (ATT&CK for ICS T0881 Service Stop, T0858 Change Operating Mode).',
  restart: 'A restart interrupts control and is how attackers load changes or wipe state (T0816 Device Restart/Shutdown).',
  silence: 'A device in listen-only mode stops answering its masters: operators lose sight of it (T0804 Block Reporting Message, T0814 Denial of Service).',
  start: 'Starting a program or application changes the operating mode (T0858 Change Operating Mode, T0875 Change Program State).',
  program_download: 'Downloading logic replaces what the controller does; Stuxnet and Triton did exactly this (T0843 Program Download, T0821 Modify Controller Tasking).',
  program_change: 'Activating or deleting blocks changes the running program (T0889 Modify Program, T0843).',
  program_upload: 'Uploading the program copies the plant logic off the controller, a reconnaissance step before tampering (T0845 Program Upload).',
  file_operation: 'File transfers to an outstation deliver configurations or firmware (T0857 System Firmware, T0867 Lateral Tool Transfer).',
  configuration: 'Configuration changes and counter resets alter or hide device state (T0836 Modify Parameter, T0872 Indicator Removal on Host).',
  clock: 'Changing a controller clock breaks the order of its events and any time-based logic.',
};

export const detector: Detector<Options> = {
  id: 'ot.device-control',
  description: 'Industrial device control commands: restart, listen-only, PLC stop/start, program download/upload/activation, file operations and clock or configuration changes (Modbus diagnostics, DNP3, S7comm).',
  category: 'policy',
  severity: 'high',
  confidence: 0.9,
  references: {
    attack: ['T0816', 'T0881', 'T0858', 'T0875', 'T0843', 'T0821', 'T0845', 'T0889', 'T0857', 'T0867', 'T0804', 'T0814', 'T0836', 'T0872'],
    other: ['IEC 62443-3-3 SR 2.1', 'IEC 62443-3-3 SR 1.1', 'IEC 62443-3-3 SR 3.4', 'IEC 62443-3-3 SR 6.2', 'IEC 62443-3-3 SR 7.1'],
  },
  options: {
    actions: { default: Object.keys(severity), description: 'Control actions to report: stop, restart, silence, start, program_download, program_change, program_upload, file_operation, configuration, clock.' },
    allowlist: { default: [], description: "Hosts allowed to control devices (engineering stations): an address or a 'client>server' pair." },
  },
  messages: {
    control: {
      title: '{client} sends {command} to {server} ({protocol})',
      explanation: '{client} sent {protocol} {command} to {server} {unit_text}({detail}): {action_text}. {why} {count} such commands from {first_seen} to {last_seen}. Confirm it was planned maintenance from an engineering station; otherwise isolate {client} and check the device.',
    },
  },
  subscribes: Object.keys(otCommandClassifiers),
  needs: 'packets',
  create(ctx, options) {
    const actions = new Set(options.actions);
    const allowed = new Set(options.allowlist);
    return {
      onEvent(ev) {
        const c = otCommand(ev);
        if (!c || c.kind !== 'control' || !c.action || !actions.has(c.action)) return;
        if (allowed.has(c.client) || allowed.has(`${c.client}>${c.server}`)) return;
        ctx.report({
          messageId: 'control',
          key: `${c.client}>${c.server}|${c.protocol}|${c.command}`,
          severity: severity[c.action],
          data: {
            client: c.client, server: c.server, protocol: c.protocol, command: c.command, unit_text: c.unit ? `${c.unit} ` : '',
            detail: c.detail, action_text: c.action.replace(/_/g, ' '), why: why[c.action],
          },
          devices: [{ role: 'attacker', ip: c.client }, { role: 'victim', ip: c.server }],
          ts: c.ts,
          evidence: c.evidence,
          facts: { protocol: c.protocol, command: c.command, action: c.action, client: c.client, server: c.server, unit: c.unit, detail: c.detail },
        });
      },
    };
  },
};

export default detector;

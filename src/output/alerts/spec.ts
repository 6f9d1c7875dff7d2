/**
 * Alert outputs named by URL, as `--alert URL` and the configuration file give them:
 *   syslog+udp://HOST[:514]   syslog+tcp://HOST[:6514]   (format=plain|cef, facility=local0|…|0-23, framing=octet-counting|lf)
 *   webhook+https://HOST/PATH  webhook+http://…          (template=json|ntfy|gotify|slack, topic=, secret_env=NAME)
 *   mqtt://[USER:PASS@]HOST[:1883]  mqtts://…             (base=bulwark, discovery=homeassistant|off)
 * and, for every output: min_severity=info|low|medium|high|critical, rate=N (per minute, 0 = no limit),
 * kinds=raised,updated,closed. Those keys are taken out of a webhook's URL; its other query keys stay.
 * @module
 */
import type { Severity } from '../../detect/types.ts';
import { severityOrder, type DeliveryPolicy } from './dispatcher.ts';
import { MqttOutput } from './mqtt.ts';
import { SyslogOutput } from './syslog.ts';
import { WebhookOutput, webhookTemplates, type WebhookTemplate } from './webhook.ts';
import type { Alert, AlertOutput } from './types.ts';

export interface AlertTarget {
  output: AlertOutput;
  policy: Partial<DeliveryPolicy>;
}

const facilities: Record<string, number> = {
  kern: 0, user: 1, mail: 2, daemon: 3, auth: 4, syslog: 5, lpr: 6, news: 7, uucp: 8, cron: 9, authpriv: 10, ftp: 11,
  local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23,
};
const policyKeys = ['min_severity', 'rate', 'kinds'];
const kindsAll: readonly Alert['kind'][] = ['raised', 'updated', 'closed'];

/** Parses one output URL; a string is the error to show. */
export function parseAlertTarget(spec: string, sensor: string, env: NodeJS.ProcessEnv = process.env): AlertTarget | string {
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    return `'${spec}' is not a URL (e.g. syslog+udp://127.0.0.1:514, webhook+https://ntfy.sh/?template=ntfy&topic=home, mqtt://127.0.0.1:1883)`;
  }
  const q = url.searchParams;
  const policy = parsePolicy(q);
  if (typeof policy === 'string') return policy;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const scheme = url.protocol.slice(0, -1);
  switch (scheme) {
    case 'syslog':
    case 'syslog+udp':
    case 'syslog+tcp': {
      const transport = scheme === 'syslog+tcp' ? 'tcp' : 'udp';
      const format = q.get('format') ?? 'plain';
      if (format !== 'plain' && format !== 'cef') return `syslog format must be plain or cef, got '${format}'`;
      const facilityName = q.get('facility') ?? 'local0';
      const facility = /^\d+$/.test(facilityName) ? Number(facilityName) : facilities[facilityName];
      if (facility === undefined || facility > 23) return `unknown syslog facility '${facilityName}'`;
      const framing = q.get('framing') ?? 'octet-counting';
      if (framing !== 'octet-counting' && framing !== 'lf') return `syslog framing must be octet-counting or lf, got '${framing}'`;
      const port = url.port ? Number(url.port) : transport === 'tcp' ? 6514 : 514;
      return { output: new SyslogOutput({ transport, host, port, body: format, facility, framing }), policy };
    }
    case 'webhook+http':
    case 'webhook+https': {
      const template = (q.get('template') ?? 'json') as WebhookTemplate;
      if (!webhookTemplates.includes(template)) return `webhook template must be one of ${webhookTemplates.join(', ')}, got '${template}'`;
      const secretEnv = q.get('secret_env');
      const secret = secretEnv ? env[secretEnv] : undefined;
      if (secretEnv && !secret) return `webhook secret_env: the environment variable ${secretEnv} is not set`;
      const topic = q.get('topic') ?? undefined;
      const target = new URL(spec.slice('webhook+'.length));
      for (const k of [...policyKeys, 'template', 'secret_env', 'topic']) target.searchParams.delete(k);
      return { output: new WebhookOutput({ url: target.toString(), template, secret, topic }), policy };
    }
    case 'mqtt':
    case 'mqtts': {
      const discovery = q.get('discovery') ?? 'homeassistant';
      const base = q.get('base') ?? 'bulwark';
      const broker = `${scheme}://${url.host}`;
      return {
        output: new MqttOutput({
          url: broker, sensor, baseTopic: base, discoveryPrefix: discovery === 'off' ? '' : discovery,
          username: url.username ? decodeURIComponent(url.username) : undefined, password: url.password ? decodeURIComponent(url.password) : undefined,
        }),
        policy,
      };
    }
    default:
      return `unknown alert output '${scheme}:' (syslog+udp, syslog+tcp, webhook+http, webhook+https, mqtt, mqtts)`;
  }
}

function parsePolicy(q: URLSearchParams): Partial<DeliveryPolicy> | string {
  const policy: Partial<DeliveryPolicy> = {};
  const min = q.get('min_severity');
  if (min !== null) {
    if (!severityOrder.includes(min as Severity)) return `min_severity must be one of ${severityOrder.join(', ')}, got '${min}'`;
    policy.minSeverity = min as Severity;
  }
  const rate = q.get('rate');
  if (rate !== null) {
    if (!/^\d+$/.test(rate)) return `rate must be a whole number of alerts per minute, got '${rate}'`;
    policy.perMinute = Number(rate);
  }
  const kinds = q.get('kinds');
  if (kinds !== null) {
    const list = kinds.split(',').map((k) => k.trim()) as Alert['kind'][];
    const bad = list.find((k) => !kindsAll.includes(k));
    if (bad !== undefined) return `kinds must be among raised, updated, closed, got '${bad}'`;
    policy.kinds = list;
  }
  return policy;
}

/**
 * Webhook output: an HTTP POST per alert with a JSON body, signed with HMAC-SHA256 over the timestamp and
 * body (header `X-Bulwark-Signature: t=<unix>,sha256=<hex>`, so a receiver can also refuse replays). Bodies
 * for common push services: ntfy, Gotify and Slack-compatible incoming webhooks (Mattermost, Rocket.Chat).
 * @module
 */
import type { Severity } from '../../detect/types.ts';
import { alertLine, alertTime, deviceLabel, isoTime, subjectOf } from './format.ts';
import { PermanentDeliveryError, type Alert, type AlertOutput } from './types.ts';

/** node:crypto when first needed: loading it costs a short run about 10 ms of CPU. */
const nodeCrypto = () => process.getBuiltinModule('node:crypto');

export type WebhookTemplate = 'json' | 'ntfy' | 'gotify' | 'slack';
export const webhookTemplates: readonly WebhookTemplate[] = ['json', 'ntfy', 'gotify', 'slack'];

export interface WebhookOptions {
  url: string;
  template: WebhookTemplate;
  /** HMAC key; without it the request is not signed. */
  secret?: string;
  /** ntfy topic (ntfy's JSON publishing posts to the server root with the topic in the body). */
  topic?: string;
  /** Extra headers (e.g. `Authorization: Bearer …` for ntfy, `X-Gotify-Key`). */
  headers: Record<string, string>;
  timeoutMs: number;
}

/** ntfy priorities 1–5 and Gotify priorities 0–10 by severity. */
const ntfyPriority: Record<Severity, number> = { info: 2, low: 2, medium: 3, high: 4, critical: 5 };
const gotifyPriority: Record<Severity, number> = { info: 1, low: 3, medium: 5, high: 8, critical: 10 };

/** The body a template produces for an alert. */
export function webhookBody(alert: Alert, template: WebhookTemplate, topic?: string): Record<string, unknown> {
  const f = alert.finding;
  const subject = subjectOf(f);
  const title = `Bulwark: ${f.title}`;
  const message = `${deviceLabel(alert, subject?.ip)}: ${f.explanation}`;
  switch (template) {
    case 'ntfy':
      return { topic: topic ?? 'bulwark', title, message, priority: ntfyPriority[f.severity], tags: ['warning', f.category, f.severity] };
    case 'gotify':
      return { title, message, priority: gotifyPriority[f.severity], extras: { 'bulwark::finding': { id: f.id, detector: f.detector, kind: alert.kind } } };
    case 'slack':
      return { text: alertLine(alert), blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `*${alertLine(alert)}*\n${f.explanation}` } }] };
    case 'json':
      return { type: `finding.${alert.kind}`, timestamp: isoTime(alertTime(alert)), sensor: alert.sensor, device: subject?.ip, finding: f };
  }
}

/** `t=<unix seconds>,sha256=<hex HMAC of "<t>.<body>">`. */
export function signature(secret: string, body: string, unixSeconds: number): string {
  const mac = nodeCrypto().createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},sha256=${mac}`;
}

export class WebhookOutput implements AlertOutput {
  readonly name = 'webhook';
  private readonly o: WebhookOptions;

  constructor(options: Pick<WebhookOptions, 'url'> & Partial<WebhookOptions>) {
    this.o = { template: 'json', headers: {}, timeoutMs: 10_000, ...options };
  }

  async send(alert: Alert): Promise<void> {
    const body = JSON.stringify(webhookBody(alert, this.o.template, this.o.topic));
    const headers: Record<string, string> = { 'Content-Type': 'application/json', 'User-Agent': 'bulwark/0.1.0', ...this.o.headers };
    if (this.o.secret) headers['X-Bulwark-Signature'] = signature(this.o.secret, body, Math.floor(Date.now() / 1000));
    const res = await fetch(this.o.url, { method: 'POST', body, headers, signal: AbortSignal.timeout(this.o.timeoutMs), redirect: 'error' });
    await res.body?.cancel();
    if (res.ok) return;
    const retryable = res.status >= 500 || res.status === 408 || res.status === 429;
    throw retryable ? new Error(`HTTP ${res.status}`) : new PermanentDeliveryError(`HTTP ${res.status}`);
  }

  async close(): Promise<void> {
    // fetch keeps no connection state of ours.
  }
}

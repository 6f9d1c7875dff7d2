/**
 * Live updates from GET /api/events (Server-Sent Events). Read with fetch rather than EventSource so the Bearer
 * token can be sent as a header; reconnects with back-off. Listeners get (type, data).
 */
import { authHeaders } from './api.ts';

export type LiveListener = (type: string, data: Record<string, unknown>) => void;

const listeners = new Set<LiveListener>();
const statusListeners = new Set<(connected: boolean) => void>();
let started = false;
let connected = false;

/** Events after which a findings list may have changed (an upload finished, a live sensor's batch). */
export const findingEvents: ReadonlySet<string> = new Set(['finding.new', 'finding.raised', 'finding.updated', 'finding.closed', 'capture.done']);
/** Events after which a device list may have changed. */
export const deviceEvents: ReadonlySet<string> = new Set(['device.new', 'device.changed', 'device.removed', 'capture.done']);

export function onLive(fn: LiveListener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function onLiveStatus(fn: (connected: boolean) => void): void {
  statusListeners.add(fn);
  fn(connected);
}

function setConnected(value: boolean): void {
  if (connected === value) return;
  connected = value;
  for (const fn of statusListeners) fn(value);
}

function dispatch(type: string, raw: string): void {
  let data: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed && typeof parsed === 'object') data = parsed as Record<string, unknown>;
  } catch { /* keep-alive or plain text */ }
  for (const fn of listeners) {
    try { fn(type, data); } catch (err) { console.warn('live listener failed', err); }
  }
}

/** Parses an SSE stream: blocks separated by a blank line, `event:` and `data:` fields. */
async function consume(body: ReadableStream<Uint8Array>): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let cut: number;
    while ((cut = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + (buffer[cut] === '\r' ? 4 : 2));
      let type = 'message';
      const data: string[] = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') type = val;
        else if (field === 'data') data.push(val);
      }
      if (data.length > 0) dispatch(type, data.join('\n'));
    }
    // A stream that never sends a blank line must not grow without bound.
    if (buffer.length > 1 << 20) buffer = '';
  }
}

export function startLive(): void {
  if (started) return;
  started = true;
  let delay = 1000;
  const connect = async (): Promise<void> => {
    try {
      const res = await fetch('/api/events', { headers: { Accept: 'text/event-stream', ...authHeaders() }, cache: 'no-store' });
      if (!res.ok || !res.body) throw new Error(`events: ${res.status}`);
      setConnected(true);
      delay = 1000;
      await consume(res.body);
    } catch {
      // Server restarting or unreachable: the UI still works by polling; retry quietly.
    }
    setConnected(false);
    setTimeout(() => void connect(), delay);
    delay = Math.min(delay * 2, 30000);
  };
  void connect();
}

/**
 * MQTT output with Home Assistant discovery: every device appears in Home Assistant with its grade, an
 * "infected" binary sensor and its open-findings count; findings are published on a topic. Discovery
 * configs and device states are retained so a Home Assistant that restarts sees them again; the sensor's
 * availability topic goes "offline" through the broker's last will when Bulwark stops or dies.
 * Uses the maintained `mqtt` client (MQTT 3.1.1/5).
 * @module
 */
import type { IClientOptions, MqttClient } from 'mqtt';
import { alertTime, isoTime, subjectOf } from './format.ts';
import type { Alert, AlertOutput, DeviceState } from './types.ts';

export interface MqttOutputOptions {
  /** mqtt://host:1883, mqtts://host:8883, ws://… */
  url: string;
  username?: string;
  password?: string;
  /** Topics Bulwark publishes under: `<base>/<sensor>/…`. */
  baseTopic: string;
  /** Home Assistant's discovery prefix; empty turns discovery off. */
  discoveryPrefix: string;
  sensor: string;
  connectTimeoutMs: number;
}

export const defaultMqttOptions = { baseTopic: 'bulwark', discoveryPrefix: 'homeassistant', connectTimeoutMs: 10_000 };

/** Topic-safe id: Home Assistant's object ids allow [a-zA-Z0-9_-]. */
export function topicId(s: string): string {
  return s.replace(/[^a-zA-Z0-9_-]/g, '_');
}

export interface DiscoveryMessage {
  topic: string;
  payload: Record<string, unknown>;
}

/** The three discovery configs of one device (grade sensor, infected binary sensor, findings count). */
export function discoveryMessages(state: DeviceState, o: Pick<MqttOutputOptions, 'baseTopic' | 'discoveryPrefix' | 'sensor'>): DiscoveryMessage[] {
  const node = topicId(`bulwark_${o.sensor}`);
  const dev = topicId(state.id);
  const stateTopic = deviceStateTopic(state, o);
  const device: Record<string, unknown> = {
    identifiers: [`bulwark_${topicId(o.sensor)}_${dev}`],
    name: state.name,
    ...(state.vendor ? { manufacturer: state.vendor } : {}),
    ...(state.model ? { model: state.model } : {}),
    ...(state.mac ? { connections: [['mac', state.mac.toLowerCase()]] } : {}),
  };
  const common = {
    state_topic: stateTopic,
    availability_topic: availabilityTopic(o),
    device,
    origin: { name: 'Bulwark', sw_version: '0.1.0' },
  };
  return [
    {
      topic: `${o.discoveryPrefix}/sensor/${node}/${dev}_grade/config`,
      payload: { ...common, name: 'Security grade', unique_id: `${node}_${dev}_grade`, value_template: '{{ value_json.grade }}', icon: 'mdi:shield-check' },
    },
    {
      topic: `${o.discoveryPrefix}/binary_sensor/${node}/${dev}_infected/config`,
      payload: {
        ...common, name: 'Infected', unique_id: `${node}_${dev}_infected`, device_class: 'problem',
        value_template: '{{ value_json.infected }}', payload_on: 'ON', payload_off: 'OFF',
      },
    },
    {
      topic: `${o.discoveryPrefix}/sensor/${node}/${dev}_findings/config`,
      payload: {
        ...common, name: 'Open findings', unique_id: `${node}_${dev}_findings`, state_class: 'measurement',
        value_template: '{{ value_json.findings }}', icon: 'mdi:alert',
      },
    },
  ];
}

export function deviceStateTopic(state: Pick<DeviceState, 'id'>, o: Pick<MqttOutputOptions, 'baseTopic' | 'sensor'>): string {
  return `${o.baseTopic}/${topicId(o.sensor)}/device/${topicId(state.id)}/state`;
}

export function availabilityTopic(o: Pick<MqttOutputOptions, 'baseTopic' | 'sensor'>): string {
  return `${o.baseTopic}/${topicId(o.sensor)}/status`;
}

export function findingsTopic(o: Pick<MqttOutputOptions, 'baseTopic' | 'sensor'>): string {
  return `${o.baseTopic}/${topicId(o.sensor)}/findings`;
}

export class MqttOutput implements AlertOutput {
  readonly name = 'mqtt';
  private readonly o: MqttOutputOptions;
  private client: MqttClient | undefined;
  private connecting: Promise<MqttClient> | undefined;
  private readonly announced = new Set<string>();

  constructor(options: Pick<MqttOutputOptions, 'url' | 'sensor'> & Partial<MqttOutputOptions>) {
    this.o = { ...defaultMqttOptions, ...options };
  }

  private connect(): Promise<MqttClient> {
    if (this.client?.connected) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const opts: IClientOptions = {
        username: this.o.username, password: this.o.password, connectTimeout: this.o.connectTimeoutMs,
        // The dispatcher retries with backoff; the client must not queue and reconnect on its own as well.
        reconnectPeriod: 0, queueQoSZero: false,
        will: { topic: availabilityTopic(this.o), payload: Buffer.from('offline'), qos: 1, retain: true },
      };
      try {
        // Loaded on first use: the client library is large and most runs have no MQTT output.
        const { connectAsync } = await import('mqtt');
        const client = await connectAsync(this.o.url, opts);
        client.on('error', () => undefined);
        await client.publishAsync(availabilityTopic(this.o), 'online', { qos: 1, retain: true });
        this.client = client;
        return client;
      } finally {
        this.connecting = undefined;
      }
    })();
    return this.connecting;
  }

  async send(alert: Alert): Promise<void> {
    const client = await this.connect();
    const f = alert.finding;
    const payload = {
      type: `finding.${alert.kind}`, timestamp: isoTime(alertTime(alert)), sensor: alert.sensor, device: subjectOf(f)?.ip,
      id: f.id, detector: f.detector, severity: f.severity, category: f.category, title: f.title, explanation: f.explanation, count: f.count,
    };
    await client.publishAsync(findingsTopic(this.o), JSON.stringify(payload), { qos: 1 });
  }

  async devices(states: readonly DeviceState[]): Promise<void> {
    const client = await this.connect();
    for (const s of states) {
      if (this.o.discoveryPrefix && !this.announced.has(s.id)) {
        for (const m of discoveryMessages(s, this.o)) await client.publishAsync(m.topic, JSON.stringify(m.payload), { qos: 1, retain: true });
        this.announced.add(s.id);
      }
      const state = { grade: s.grade ?? 'unknown', infected: s.infected ? 'ON' : 'OFF', findings: s.findings, worst: s.worst ?? null, ip: s.ip ?? null };
      await client.publishAsync(deviceStateTopic(s, this.o), JSON.stringify(state), { qos: 1, retain: true });
    }
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    try {
      await client.publishAsync(availabilityTopic(this.o), 'offline', { qos: 1, retain: true });
    } finally {
      await client.endAsync();
    }
  }
}

/**
 * The seam between mechanism and policy: event and anomaly specifications.
 * Decoders, the flow engine and protocol analyzers describe what they emit here; detectors subscribe.
 * @module
 */

/** JSON type of one event field, as it appears in JSON output. */
export type FieldType = 'string' | 'number' | 'boolean' | 'string[]' | 'number[]' | 'object' | 'object[]';

export interface FieldSpec {
  type: FieldType;
  description: string;
  /** Absent from the JSON object when not known. */
  optional?: boolean;
}

/** One event type: its name (`<proto>.<message>`), what it means, and its payload fields. */
export interface EventSpec {
  type: string;
  description: string;
  fields: Record<string, FieldSpec>;
}

/** One named anomaly: malformed or unexpected traffic, counted, never an exception. */
export interface AnomalySpec {
  id: string;
  description: string;
}

/** Payload of an event: the fields its spec lists. Common envelope fields are added by the pipeline. */
export type EventFields = Record<string, unknown>;

/** The TypeScript type of a JSON field of type `T`. */
export type FieldValue<T extends FieldType> = T extends 'string' ? string
  : T extends 'number' ? number
    : T extends 'boolean' ? boolean
      : T extends 'string[]' ? string[]
        : T extends 'number[]' ? number[]
          : T extends 'object' ? Record<string, unknown>
            : Record<string, unknown>[];

/** A field is optional in TypeScript unless its spec says `optional: false` or leaves it out. */
type IsOptional<F> = F extends { optional: false } ? false : F extends { optional: boolean } ? true : false;

/**
 * The payload type a field spec describes: one definition (the spec, declared `as const`) gives both the
 * documentation and the TypeScript type.
 */
export type PayloadOf<F extends Record<string, FieldSpec>> = {
  -readonly [K in keyof F as IsOptional<F[K]> extends true ? never : K]: FieldValue<F[K]['type']>;
} & {
  -readonly [K in keyof F as IsOptional<F[K]> extends true ? K : never]?: FieldValue<F[K]['type']>;
};

/** Event type → payload type, for a list of specs declared `as const satisfies readonly EventSpec[]`. */
export type PayloadMapOf<L extends readonly EventSpec[]> = {
  [E in L[number] as E['type']]: PayloadOf<E['fields']>;
};

/** The payload of one event type of a spec list: `EventPayload<typeof events, 'telnet.login'>`. */
export type EventPayload<L extends readonly EventSpec[], T extends L[number]['type']> = PayloadOf<Extract<L[number], { type: T }>['fields']>;

/**
 * The envelope every event carries in JSON output (added by the pipeline, not by analyzers):
 * type, ts (epoch seconds, float), file, packet (1-based number in file), community_id, flow_id,
 * transport ('tcp'|'udp'|...), src_ip, src_port, dst_ip, dst_port (of the packet carrying the message),
 * from_orig (true when sent by the flow's originator).
 */
export const envelopeFields: Record<string, FieldSpec> = {
  type: { type: 'string', description: 'Event type, `<protocol>.<message>`.' },
  ts: { type: 'number', description: 'Time of the packet that completed the message, seconds since the Unix epoch.' },
  file: { type: 'string', description: 'Capture file the packet came from.' },
  packet: { type: 'number', description: '1-based packet number within that file (as Wireshark numbers frames).' },
  community_id: { type: 'string', description: 'Community ID v1 of the flow.', optional: true },
  flow_id: { type: 'number', description: 'Run-unique flow number; joins events to `flow` records.', optional: true },
  uid: { type: 'string', description: "Flow uid, unique across runs and sensors (like Zeek's `uid`); joins events to `flow` records.", optional: true },
  transport: { type: 'string', description: "'tcp', 'udp', 'icmp', 'icmp6', 'arp' or another IP protocol number." },
  src_ip: { type: 'string', description: 'Sender of the message.', optional: true },
  src_port: { type: 'number', description: 'Sender port.', optional: true },
  dst_ip: { type: 'string', description: 'Receiver of the message.', optional: true },
  dst_port: { type: 'number', description: 'Receiver port.', optional: true },
  from_orig: { type: 'boolean', description: "True when the message was sent by the flow's originator (client).", optional: true },
};

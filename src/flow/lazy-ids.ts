/**
 * A flow's identifiers (Community ID, uid) as records and events carry them, computed on first read: a
 * SHA-1 each, and most flows are never asked about (a flood's flows are counted, not listed). Records and
 * events hold them as enumerable accessor properties in their usual place, so JSON, spreading and
 * `Object.keys` see the same fields in the same order as plain values; assigning one replaces it with a value.
 * @module
 */

/** The identifiers of one flow record, each computed once when first read. */
export interface FlowIds {
  readonly communityId: string;
  readonly uid: string;
}

/** Replace an accessor by a plain value (a consumer that rewrites an id, e.g. pseudonymisation). */
function own(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/** `{ type, flow_id, uid, community_id }`: the head of a flow record, ids read through `ids`. */
export function recordHead(flowId: number, ids: FlowIds): { type: 'flow'; flow_id: number; uid: string; community_id: string } {
  return {
    type: 'flow',
    flow_id: flowId,
    get uid() { return ids.uid; },
    set uid(v: string) { own(this, 'uid', v); },
    get community_id() { return ids.communityId; },
    set community_id(v: string) { own(this, 'community_id', v); },
  };
}

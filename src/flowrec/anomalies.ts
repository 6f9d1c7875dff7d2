/**
 * Anomalies of the flow-export stage: malformed or unexpected NetFlow/IPFIX datagrams and the limits of the
 * collector's tables. Counted in the run summary, never thrown.
 * @module
 */
import type { AnomalySpec } from '../events/types.ts';

export const FA = {
  tooShort: 'flowrec.datagram.too_short',
  badVersion: 'flowrec.datagram.bad_version',
  v5BadCount: 'flowrec.v5.bad_count',
  v5Truncated: 'flowrec.v5.truncated',
  v9BadFlowsetLength: 'flowrec.v9.bad_flowset_length',
  ipfixBadLength: 'flowrec.ipfix.bad_length',
  ipfixBadSetLength: 'flowrec.ipfix.bad_set_length',
  ipfixBadVarlen: 'flowrec.ipfix.bad_varlen',
  ipfixWithdrawUnknown: 'flowrec.ipfix.withdraw_unknown',
  reservedSetId: 'flowrec.set.reserved_id',
  badTemplate: 'flowrec.template.malformed',
  templateFieldLimit: 'flowrec.template.field_limit',
  templateLimit: 'flowrec.template.limit',
  templateChanged: 'flowrec.template.changed',
  sessionLimit: 'flowrec.session.limit',
  samplerLimit: 'flowrec.sampler.limit',
  pendingDropped: 'flowrec.pending.dropped',
  noTemplate: 'flowrec.pending.no_template',
  recordTruncated: 'flowrec.record.truncated',
  noAddresses: 'flowrec.record.no_addresses',
  sequenceGap: 'flowrec.sequence.gap',
  sequenceBack: 'flowrec.sequence.back',
  stitchLimit: 'flowrec.stitch.limit',
} as const;

export const flowrecAnomalies: readonly AnomalySpec[] = [
  { id: FA.tooShort, description: 'Export datagram shorter than its version\'s header.' },
  { id: FA.badVersion, description: 'Export datagram whose version is not 5, 9 or 10 (IPFIX): not a flow export, or corrupt.' },
  { id: FA.v5BadCount, description: 'NetFlow v5 header count is 0 or above 30 records (the protocol maximum).' },
  { id: FA.v5Truncated, description: 'NetFlow v5 datagram shorter than its header count of 48-byte records: the records present are kept.' },
  { id: FA.v9BadFlowsetLength, description: 'NetFlow v9 flowset length below 4 or past the end of the datagram: the rest of the datagram is skipped.' },
  { id: FA.ipfixBadLength, description: 'IPFIX message length field disagrees with the datagram (shorter than the header, or longer than the bytes received).' },
  { id: FA.ipfixBadSetLength, description: 'IPFIX set length below 4 or past the end of the message: the rest of the message is skipped.' },
  { id: FA.ipfixBadVarlen, description: 'IPFIX variable-length field whose length runs past the end of its record: the record is dropped.' },
  { id: FA.ipfixWithdrawUnknown, description: 'IPFIX template withdrawal for a template id the exporter never defined.' },
  { id: FA.reservedSetId, description: 'Set or flowset id in the reserved range (v9: 2..255, IPFIX: 0, 1, 4..255): skipped.' },
  { id: FA.badTemplate, description: 'Template or options template record malformed (truncated, id below 256, zero-length fields, scope count above field count): the set is skipped.' },
  { id: FA.templateFieldLimit, description: 'Template with more fields than the collector accepts (maxTemplateFields): ignored.' },
  { id: FA.templateLimit, description: 'An exporter defined more templates than maxTemplatesPerSession: the new template is ignored.' },
  { id: FA.templateChanged, description: 'A template id was redefined with different fields (template refresh with a new layout; the new one is used).' },
  { id: FA.sessionLimit, description: 'More (exporter, observation domain) sessions than maxSessions: the least recently used session and its templates were forgotten (a template storm from spoofed exporters stays bounded).' },
  { id: FA.samplerLimit, description: 'More samplers (selector ids) per session than the collector keeps: the new sampler is ignored.' },
  { id: FA.pendingDropped, description: 'A data set waiting for its template was dropped: the waiting buffer (maxPendingSets / maxPendingBytes) was full, or it waited longer than pendingTimeoutS.' },
  { id: FA.noTemplate, description: 'A data set whose template never arrived (counted at the end of the run for sets still waiting).' },
  { id: FA.recordTruncated, description: 'Data set whose length leaves a partial record that is not padding: the partial record is dropped.' },
  { id: FA.noAddresses, description: 'Data record without source or destination address (e.g. an interface or firewall statistic): not a flow, skipped.' },
  { id: FA.sequenceGap, description: 'Export sequence number jumped ahead: datagrams or records were lost between exporter and collector (per-exporter loss in the summary).' },
  { id: FA.sequenceBack, description: 'Export sequence number went back (exporter restart, reordering or duplicate): the sequence is resynchronised.' },
  { id: FA.stitchLimit, description: 'One-way records waiting for their reverse direction exceeded maxStitchPending: the oldest was published one-way.' },
];

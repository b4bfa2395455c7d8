// Public surface of the stream stage: per-direction TCP reassembly.
// Re-exports only: no behaviour here.

export { Reassembler } from './reassembler.js';
export type { EndReason, ReassemblerOptions, SegmentFate, SegmentFlags, StreamSink } from './reassembler.js';

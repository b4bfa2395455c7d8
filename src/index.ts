// Public API of the tcptrace package: re-exports only, no logic here.
// Everything exported is documented in README.md ("Library"); internal modules stay unexported.

export * from './types.js';
export type * from './decode/packet.js';
export type * from './report.js';
export { SCHEMA_VERSION } from './report.js';

// The analysis: a synchronous core for callers with their own records, and async edges for files and streams.
export { Analyzer, analyze, analyzeFile, type AnalyzerOptions, type AnalyzeOptions } from './analyze.js';

// Capture reading.
export {
  CaptureReader,
  readCaptureSync,
  readCaptureBatches,
  CaptureError,
  CaptureWarningCode,
  type CaptureErrorCode,
  type CaptureWarning,
  type CaptureWarningCodeName,
  type CaptureInfo,
  type CaptureSource,
  type CaptureSummary,
  type ReadCaptureOptions,
} from './capture/index.js';
export { mergedBatches, type SourceSpec, type MergedBatch, type MergedEnd } from './capture/merge.js';

// Decoding and the stages below the analyzer, for callers who build their own pipeline.
export { decodePacket, isTcpPacket, PacketDecoder } from './decode/decode-frame.js';
export { Reassembler, type StreamSink, type SegmentFate } from './stream/index.js';
export { HttpConnection } from './http/index.js';
export type { HttpExchange, HttpSummary, HttpEvent, HttpMode, TcpCloseFacts } from './http/types.js';
export type { ConnectionSummary } from './tcp/summary.js';

// Renderers: pure functions of events and reports.
export { formatPacketLine, type PacketLineOptions } from './render/packet-line.js';
export { TsStyle, type TimestampOptions } from './render/timestamp.js';
export { useTcpdumpLocalTime } from './local-time.js';
export { TimelineRenderer, type TimelineOptions } from './render/timeline.js';
export { renderConnectionTable, renderHttpTables, renderCaptureSummary } from './render/tables.js';
export { packetRecord, connectionRecord, packetObject, connectionObject } from './render/json.js';
export { TextSink, type TextWriter, type LineSink, type PieceSink } from './render/text-sink.js';
export { StringOut, type LineOut } from './render/line-out.js';
export { PLAIN_PALETTE, ANSI_PALETTE, type Palette } from './render/color.js';

// The expectation language of `tcptrace check`.
export { parseExpectation, evaluate, checkFailOn, type Expectation, type CheckResult } from './check.js';

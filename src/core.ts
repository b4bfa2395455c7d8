// The synchronous core of the tcptrace package (`tcptrace/core`): re-exports only, no logic here, and nothing that
// needs Node: no fs, no streams, no process. It runs anywhere a Uint8Array does (a browser, a worker, an edge
// runtime); the async edges that read files and streams are in the package root (index.ts), which re-exports this.

export * from './types.js';
export type * from './decode/packet.js';
export type * from './report.js';
export { SCHEMA_VERSION } from './report.js';

// The analysis, for callers with their own records.
export { Analyzer, type AnalyzerOptions } from './analyze.js';

// Capture parsing from bytes in memory.
export { CaptureReader, readCaptureSync } from './capture/reader.js';
export { CaptureError, CaptureWarningCode, type CaptureErrorCode, type CaptureWarning, type CaptureWarningCodeName } from './capture/errors.js';
export type { CaptureInfo } from './capture/state.js';

// Decoding and the stages below the analyzer, for callers who build their own pipeline.
export { decodePacket, isTcpPacket, PacketDecoder } from './decode/decode-frame.js';
export { Reassembler, type StreamSink, type SegmentFate } from './stream/index.js';
export { HttpConnection } from './http/index.js';
export type { HttpExchange, HttpSummary, HttpEvent, HttpMode, TcpCloseFacts } from './http/types.js';
export type { ConnectionSummary } from './tcp/summary.js';

// Renderers: pure functions of events and reports.
export { formatPacketLine, type PacketLineOptions } from './render/packet-line.js';
export { TsStyle, setLocalTimeRule, type TimestampOptions } from './render/timestamp.js';
export { parsePosixTz, type PosixTz } from './render/posix-tz.js';
export { TimelineRenderer, type TimelineOptions } from './render/timeline.js';
export { renderConnectionTable, renderHttpTables, renderCaptureSummary } from './render/tables.js';
export { metaRecord, packetRecord, connectionRecord, endRecord, packetObject, connectionObject } from './render/json.js';
export { TextSink, type TextWriter, type LineSink, type PieceSink } from './render/text-sink.js';
export { StringOut, type LineOut } from './render/line-out.js';
export { PLAIN_PALETTE, ANSI_PALETTE, type Palette } from './render/color.js';

// The expectation language of `tcptrace check`.
export { parseExpectation, expectationProblem, failOnProblem, evaluate, checkFailOn, type Expectation, type CheckResult } from './check.js';

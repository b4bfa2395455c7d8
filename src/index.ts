// Public API of the tcptrace package: re-exports only, no logic here.
// Everything exported is documented in README.md ("Library"); internal modules stay unexported. The Node-free part
// is core.ts (`tcptrace/core`); this adds the edges that read files and streams and Node's view of TZ.

export * from './core.js';

// The async edges: a path, stdin, bytes or a stream, read in batches.
export { analyze, analyzeFile, type AnalyzeOptions } from './edges.js';
export { readCaptureBatches, type ReadCaptureOptions, type CaptureSource, type CaptureSummary } from './capture/open.js';
export { mergedBatches, type SourceSpec, type MergedBatch, type MergedEnd } from './capture/merge.js';
export { useTcpdumpLocalTime } from './local-time.js';

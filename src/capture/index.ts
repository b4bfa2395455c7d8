// Public entry of the capture stage: re-exports only, no logic here.
// reader.ts and below are Node-free; open.ts is the only file that touches fs and process.stdin.

export { CaptureError, CaptureWarningCode, type CaptureErrorCode, type CaptureWarning, type CaptureWarningCodeName } from './errors.js';
export { CaptureReader, readCaptureSync } from './reader.js';
export { readCaptureBatches, type ReadCaptureOptions, type CaptureSource, type CaptureSummary } from './open.js';
export { MAX_RECORD_BYTES, type CaptureInfo, type CaptureInterface, type TsResolution } from './state.js';

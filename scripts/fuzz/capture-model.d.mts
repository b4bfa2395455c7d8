// Types of capture-model.mjs for the TypeScript tests; must stay in step with it (no logic here).

export interface CaptureUnit {
  kind: 'header' | 'record' | 'block' | 'tail';
  start: number;
  end: number;
}
export interface CaptureModelRecord {
  frame: number;
  unit: number;
  start: number;
  end: number;
  dataStart: number;
  capLen: number;
  origLen: number;
  linkType: number;
}
export interface CaptureModel {
  format: 'pcap' | 'pcapng';
  units: CaptureUnit[];
  records: CaptureModelRecord[];
  length: number;
}
export declare const PCAP_HEADER_LEN: number;
export declare function parseCapture(bytes: Uint8Array): CaptureModel | null;
export declare function firstDiff(a: Uint8Array, b: Uint8Array): number;
export declare function intactBeforeFrame(original: Uint8Array, mutant: Uint8Array, cap: CaptureModel | null): number;

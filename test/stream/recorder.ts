// Test helper: a StreamSink that records every call (copying data, keeping the original view) and checks tiling.
// Test-only; it must not add behaviour the reassembler lacks.

import type { EndReason, SegmentFlags, StreamSink } from '../../src/stream/index.js';

export type StreamEvent =
  | { kind: 'data'; offset: number; bytes: Uint8Array; view: Uint8Array; frame: number; tsSec: number; tsNsec: number }
  | { kind: 'gap'; offset: number; length: number; frame: number }
  | { kind: 'end'; offset: number; frame: number; reason: EndReason };

export const NONE: SegmentFlags = { syn: false, fin: false, rst: false };
export const SYN: SegmentFlags = { syn: true, fin: false, rst: false };
export const FIN: SegmentFlags = { syn: false, fin: true, rst: false };
export const RST: SegmentFlags = { syn: false, fin: false, rst: true };

export const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

export class Recorder implements StreamSink {
  readonly events: StreamEvent[] = [];

  data(bytes: Uint8Array, offset: number, frame: number, tsSec: number, tsNsec: number): void {
    this.events.push({ kind: 'data', offset, bytes: bytes.slice(), view: bytes, frame, tsSec, tsNsec });
  }
  gap(offset: number, length: number, frame: number): void {
    this.events.push({ kind: 'gap', offset, length, frame });
  }
  end(offset: number, frame: number, reason: EndReason): void {
    this.events.push({ kind: 'end', offset, frame, reason });
  }

  /** Delivered bytes as text, gaps written as [gap N]. */
  text(): string {
    let out = '';
    for (const e of this.events) {
      if (e.kind === 'data') out += new TextDecoder().decode(e.bytes);
      else if (e.kind === 'gap') out += `[gap ${e.length}]`;
    }
    return out;
  }

  /** Concatenation of every data call. */
  bytes(): Uint8Array {
    const parts = this.events.filter((e) => e.kind === 'data');
    const out = new Uint8Array(parts.reduce((n, e) => n + e.bytes.length, 0));
    let at = 0;
    for (const e of parts) {
      out.set(e.bytes, at);
      at += e.bytes.length;
    }
    return out;
  }

  gaps(): Array<[number, number]> {
    return this.events.flatMap((e) => (e.kind === 'gap' ? [[e.offset, e.length] as [number, number]] : []));
  }

  ends(): StreamEvent[] {
    return this.events.filter((e) => e.kind === 'end');
  }

  /** Throws unless data and gaps tile [from, end) in order with no overlap, no empty call, and at most one end, last. */
  checkTiling(from = 0): number {
    let at = from;
    let ended = false;
    for (const e of this.events) {
      if (ended) throw new Error(`event after end: ${JSON.stringify(e)}`);
      if (e.kind === 'end') {
        if (e.offset !== at) throw new Error(`end at ${e.offset}, delivery at ${at}`);
        ended = true;
        continue;
      }
      if (e.offset !== at) throw new Error(`${e.kind} at ${e.offset}, expected ${at}`);
      const len = e.kind === 'data' ? e.bytes.length : e.length;
      if (len <= 0) throw new Error(`empty ${e.kind} at ${e.offset}`);
      at += len;
    }
    return at;
  }
}

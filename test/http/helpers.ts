// Test helpers for the HTTP stage: a tiny trace DSL (data, gap, end per direction) and a runner with optional splits.
// Builds byte streams by hand; frames are step numbers, so a split never changes a frame or a time.

import { HttpConnection } from '../../src/http/index.js';
import type { HttpEvent, HttpExchange, HttpSummary, TcpCloseFacts } from '../../src/http/index.js';
import type { Direction } from '../../src/types.js';

/** One call into the connection. `same`: carried by the same frame as the step before (e.g. a gap that the ACK of
 *  a request packet reveals in the other direction). */
export type Step = ({ d: Direction; data: string | Uint8Array } | { d: Direction; gap: number }
  | { d: Direction; end: 'fin' | 'rst' | 'capture-end' }) & { same?: boolean };

export const C = 0 as const;
export const S = 1 as const;

export const tx = (d: Direction, data: string | Uint8Array): Step => ({ d, data });
export const gap = (d: Direction, bytes: number): Step => ({ d, gap: bytes });
export const fin = (d: Direction): Step => ({ d, end: 'fin' });
export const rst = (d: Direction): Step => ({ d, end: 'rst' });
export const captureEnd = (d: Direction): Step => ({ d, end: 'capture-end' });
export const sameFrame = (step: Step): Step => ({ ...step, same: true });

/** CRLF-joined lines plus the empty line that ends a header section. */
export function head(...lines: string[]): string {
  return lines.join('\r\n') + '\r\n\r\n';
}

export function bytes(s: string | Uint8Array): Uint8Array {
  if (typeof s !== 'string') return s;
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

export const closedByClient: TcpCloseFacts = { firstFinBy: 'client', rstBy: null, simultaneous: false, openAtEnd: false, clientFinFrame: 0, serverFinFrame: 0 };
export const closedByServer: TcpCloseFacts = { firstFinBy: 'server', rstBy: null, simultaneous: false, openAtEnd: false, clientFinFrame: 0, serverFinFrame: 0 };
export const resetByServer: TcpCloseFacts = { firstFinBy: null, rstBy: 'server', simultaneous: false, openAtEnd: false, clientFinFrame: 0, serverFinFrame: 0 };
export const stillOpen: TcpCloseFacts = { firstFinBy: null, rstBy: null, simultaneous: false, openAtEnd: true, clientFinFrame: 0, serverFinFrame: 0 };

export interface RunResult {
  events: HttpEvent[];
  exchanges: readonly HttpExchange[];
  summary: HttpSummary;
  conn: HttpConnection;
}

/**
 * Feeds the steps in order; each step is a new frame (unless `same`), step i at time 1000 s + i ms. `cuts(stepIndex, length)` may return positions
 * at which a data step is split into several data calls carrying the same frame and time.
 */
export function run(
  steps: Step[],
  close: TcpCloseFacts = closedByClient,
  opts: { maxHeaderBytes?: number; maxStartLineBytes?: number; handshakeSeen?: boolean } = {},
  cuts?: (step: number, length: number) => number[],
): RunResult {
  const conn = new HttpConnection(opts);
  const events: HttpEvent[] = [];
  const offsets = [0, 0];
  let frame = 0;
  steps.forEach((step, i) => {
    if (!step.same || frame === 0) frame++;
    const tsSec = 1000 + Math.floor(i / 1000);
    const tsNsec = (i % 1000) * 1_000_000;
    if ('data' in step) {
      const b = bytes(step.data);
      const points = cuts ? [...new Set(cuts(i, b.length))].filter((p) => p > 0 && p < b.length).sort((x, y) => x - y) : [];
      let from = 0;
      for (const p of [...points, b.length]) {
        conn.data(step.d, b.subarray(from, p), offsets[step.d] + from, frame, tsSec, tsNsec, events);
        from = p;
      }
      offsets[step.d] += b.length;
    } else if ('gap' in step) {
      conn.gap(step.d, offsets[step.d], step.gap, frame, events);
      offsets[step.d] += step.gap;
    } else {
      conn.end(step.d, frame, step.end, tsSec, tsNsec, events);
    }
  });
  return { events, exchanges: conn.exchanges(), summary: conn.summary(close), conn };
}

/** Event lines as "frame code text", for readable assertions. */
export function lines(events: HttpEvent[]): string[] {
  return events.map((e) => `${e.frame} ${e.code} ${e.text}`);
}

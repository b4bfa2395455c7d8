// Helpers shared by the capture tests: hex literals, chunked reading, comparable record snapshots.
// Test support only: the one assertion here is the CaptureError contract (class, code, one-line message).

import { expect } from 'vitest';
import { CaptureError, CaptureReader, type CaptureErrorCode } from '../../src/capture/index.js';
import type { CaptureRecord } from '../../src/types.js';

/** Bytes from a hex string; spaces, newlines and `|` separators are ignored. */
export function hex(text: string): Uint8Array {
  const digits = text.replace(/[\s|]/g, '');
  if (digits.length % 2 !== 0 || /[^0-9a-f]/i.test(digits)) throw new Error(`bad hex literal: ${text}`);
  return Uint8Array.from(digits.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

/** A record with its data as a plain array, so toEqual compares bytes, not buffers. */
export function plain(rec: CaptureRecord): Omit<CaptureRecord, 'data'> & { data: number[] } {
  return { ...rec, data: Array.from(rec.data) };
}

/** Everything a read produces, in comparable form. */
export interface ReadResult {
  records: ReturnType<typeof plain>[];
  warnings: CaptureReader['warnings'];
  stopped: boolean;
  info: CaptureReader['info'];
}

/** Reads `bytes` pushed in pieces cut at the given offsets (sorted, within the input). */
export function readSplit(bytes: Uint8Array, cuts: readonly number[]): ReadResult {
  const reader = new CaptureReader();
  const out: CaptureRecord[] = [];
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    reader.push(bytes.subarray(at, cut), out);
    at = cut;
  }
  reader.end();
  return { records: out.map(plain), warnings: reader.warnings, stopped: reader.stopped, info: reader.info };
}

/** Runs fn and returns the CaptureError it throws, failing the test if it throws nothing or something else. */
export function captureError(fn: () => unknown, code: CaptureErrorCode): CaptureError {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(CaptureError);
  const err = thrown as CaptureError;
  expect(err.code).toBe(code);
  expect(err.name).toBe('CaptureError');
  // One line the CLI can print as is.
  expect(err.message).not.toMatch(/\n/);
  return err;
}

// Text records kept by id until the end of a run (the connection table's rows, printed in id order): in memory
// while they are few, in a temporary file past a few megabytes. CLI only (fs); it must not format anything.

import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Past this many characters of text the records move to a file (the benchmark capture's 33,000 rows take 12 MB).
 * The rows are built by concatenation, and V8 keeps such strings as trees of pieces: in memory a row costs about three
 * times its length (a heap snapshot of the benchmark run at 4 MB: 10,069 rows, 3.6 MB of text, 12.4 MB of strings).
 */
const DEFAULT_SPILL_BYTES = 1024 * 1024;
const WRITE_CHUNK_BYTES = 256 * 1024;
const READ_WINDOW_BYTES = 256 * 1024;
/** Records read ahead of their turn that a pass keeps at most (about 1 MB of rows), and how far ahead it reads. */
const LOOKAHEAD_RECORDS = 4096;

/**
 * Why a file: the summary views print one row per connection at the end, in id order, with column widths that
 * depend on every row. Holding the rows made peak memory grow with the capture (348 MB at 1.5 M packets, 445 MB at
 * 3 M); on disk only two numbers per id stay in memory, as sort(1) spills its runs.
 */
export class RowSpool {
  private spillBytes: number;
  private memory: (string | undefined)[] = [];
  private memoryBytes = 0;
  private fd: number | null = null;
  private dir: string | null = null;
  private readonly pending = Buffer.allocUnsafe(WRITE_CHUNK_BYTES);
  private pendingBytes = 0;
  private fileBytes = 0;
  /** Per id, in file mode: where its text starts in the file, and its length in bytes plus one (0 = no record). */
  private offsets = new Float64Array(1024);
  private lengths = new Uint32Array(1024);
  /** Ids in the order their records were written (file order), and each id's index in it. */
  private order = new Int32Array(1024);
  private orderCount = 0;
  private positions = new Int32Array(1024);
  /** The current pass in id order: the next record of `order` to read, records read before their turn, the last id. */
  private seqNext = 0;
  private readonly ahead = new Map<number, string>();
  private lastId = -1;
  private readBuf = Buffer.allocUnsafe(0);
  /** The file bytes readBuf holds: [windowStart, windowStart + windowBytes). */
  private windowStart = 0;
  private windowBytes = 0;
  private aloneBuf = Buffer.allocUnsafe(4096);
  /** Ids with a record. */
  count = 0;

  constructor(opts: { spillBytes?: number } = {}) {
    this.spillBytes = opts.spillBytes ?? DEFAULT_SPILL_BYTES;
  }

  /** True once the records live in a file. */
  get spilled(): boolean {
    return this.fd !== null;
  }

  /** Stores the record of `id` (each id once). */
  add(id: number, text: string): void {
    this.count++;
    if (this.fd === null) {
      this.memory[id] = text;
      this.memoryBytes += text.length;
      if (this.memoryBytes > this.spillBytes) this.spill();
      return;
    }
    this.write(id, text);
  }

  /**
   * The record of `id`, or undefined. In file mode, asking in ascending id order (a pass; a smaller id starts a new
   * one) reads the file front to back in windows of READ_WINDOW_BYTES: records are in the order they were added
   * (connections are reported a few seconds after they close, so a few hundred ids out of order), and the ones met
   * before their turn wait in a bounded look-ahead map. A record further ahead, or already passed, is read alone.
   * Reading a window at each requested record instead read the 8 MB file 300 times over on the benchmark capture.
   */
  get(id: number): string | undefined {
    if (this.fd === null) return this.memory[id];
    if (id >= this.lengths.length || this.lengths[id] === 0) return undefined;
    this.flush();
    if (id < this.lastId) {
      this.ahead.clear();
      this.seqNext = 0;
    }
    this.lastId = id;
    const waiting = this.ahead.get(id);
    if (waiting !== undefined) {
      this.ahead.delete(id);
      return waiting;
    }
    const at = this.positions[id]!;
    if (at >= this.seqNext && at - this.seqNext < LOOKAHEAD_RECORDS) {
      if (this.ahead.size >= LOOKAHEAD_RECORDS) this.ahead.clear();
      while (this.seqNext <= at) {
        const other = this.order[this.seqNext++]!;
        const text = this.windowText(other);
        if (other === id) return text;
        this.ahead.set(other, text);
      }
    }
    return this.readAlone(id);
  }

  /** A record's text through the sequential window (refilled from the record's offset when it is not inside). */
  private windowText(id: number): string {
    const length = this.lengths[id]! - 1;
    const offset = this.offsets[id]!;
    if (offset < this.windowStart || offset + length > this.windowStart + this.windowBytes) {
      const size = Math.max(length, READ_WINDOW_BYTES);
      if (size > this.readBuf.length) this.readBuf = Buffer.allocUnsafe(size);
      this.windowStart = offset;
      this.windowBytes = this.readInto(this.readBuf, Math.min(size, this.fileBytes - offset), offset);
    }
    const from = offset - this.windowStart;
    return this.readBuf.toString('utf8', from, Math.min(from + length, this.windowBytes));
  }

  /** A record's text by one read of its own bytes (the window stays where the pass needs it). */
  private readAlone(id: number): string {
    const length = this.lengths[id]! - 1;
    if (length > this.aloneBuf.length) this.aloneBuf = Buffer.allocUnsafe(Math.max(length, 2 * this.aloneBuf.length));
    const done = this.readInto(this.aloneBuf, length, this.offsets[id]!);
    return this.aloneBuf.toString('utf8', 0, done);
  }

  private readInto(buf: Buffer, want: number, position: number): number {
    let done = 0;
    while (done < want) {
      const n = readSync(this.fd!, buf, done, want - done, position + done);
      if (n === 0) break;
      done += n;
    }
    return done;
  }

  /** The ids with a record, ascending. */
  ids(): number[] {
    const out: number[] = [];
    if (this.fd === null) {
      for (let id = 0; id < this.memory.length; id++) if (this.memory[id] !== undefined) out.push(id);
    } else {
      for (let id = 0; id < this.lengths.length; id++) if (this.lengths[id] !== 0) out.push(id);
    }
    return out;
  }

  /** Removes the file, if any. The spool is empty afterwards. */
  close(): void {
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
    }
    if (this.dir !== null) {
      rmSync(this.dir, { recursive: true, force: true });
      this.dir = null;
    }
    this.memory = [];
    this.count = 0;
  }

  private spill(): void {
    try {
      this.dir = mkdtempSync(path.join(tmpdir(), 'tcptrace-'));
      this.fd = openSync(path.join(this.dir, 'rows'), 'w+');
    } catch {
      // No writable temporary directory: keep everything in memory rather than fail the run.
      if (this.dir !== null) rmSync(this.dir, { recursive: true, force: true });
      this.dir = null;
      this.spillBytes = Infinity;
      return;
    }
    try {
      // POSIX keeps an open file after its name is gone: nothing is left behind even if the process is killed.
      // (Windows refuses; close() removes it there.)
      rmSync(this.dir, { recursive: true, force: true });
      this.dir = null;
    } catch {
      // Removed in close().
    }
    const memory = this.memory;
    this.memory = [];
    this.memoryBytes = 0;
    for (let id = 0; id < memory.length; id++) {
      const text = memory[id];
      if (text !== undefined) this.write(id, text);
    }
  }

  private write(id: number, text: string): void {
    const worst = text.length * 3;
    if (this.pendingBytes + worst > this.pending.length) this.flush();
    let bytes: number;
    if (worst > this.pending.length) {
      const encoded = Buffer.from(text, 'utf8');
      this.writeAll(encoded);
      bytes = encoded.length;
      this.place(id, this.fileBytes - bytes, bytes);
      return;
    }
    bytes = this.pending.write(text, this.pendingBytes, 'utf8');
    this.place(id, this.fileBytes + this.pendingBytes, bytes);
    this.pendingBytes += bytes;
  }

  private place(id: number, offset: number, length: number): void {
    if (id >= this.lengths.length) {
      let size = this.lengths.length * 2;
      while (size <= id) size *= 2;
      const offsets = new Float64Array(size);
      offsets.set(this.offsets);
      const lengths = new Uint32Array(size);
      lengths.set(this.lengths);
      const positions = new Int32Array(size);
      positions.set(this.positions);
      this.offsets = offsets;
      this.lengths = lengths;
      this.positions = positions;
    }
    this.offsets[id] = offset;
    this.lengths[id] = length + 1;
    if (this.orderCount === this.order.length) {
      const grown = new Int32Array(this.order.length * 2);
      grown.set(this.order);
      this.order = grown;
    }
    this.positions[id] = this.orderCount;
    this.order[this.orderCount++] = id;
  }

  private flush(): void {
    if (this.pendingBytes === 0) return;
    this.writeAll(this.pending.subarray(0, this.pendingBytes));
    this.pendingBytes = 0;
  }

  private writeAll(bytes: Uint8Array): void {
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd!, bytes, done, bytes.length - done, this.fileBytes + done);
    this.fileBytes += bytes.length;
  }
}

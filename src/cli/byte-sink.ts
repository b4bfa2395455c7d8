// LineSinks that encode each line straight into a Buffer: ByteSink hands the writer a copy per ~128 KiB, FrameBytes
// keeps a --jobs thread's lines until they are sent. CLI only (Node's Buffer): renderers stay runtime-neutral behind
// LineSink. Must not decide what to print.

import type { PieceSink } from '../render/text-sink.js';
import { decimalDigits, jsonVerbatim, padded, writeDecimal } from '../render/line-out.js';

const CHUNK_BYTES = 128 * 1024;

/**
 * Why bytes, not strings: joining a chunk's lines into one string and letting the stream encode it took 10% of a
 * timeline run (the annotation arrows make the joined string two-byte, then it is flattened and UTF-8 encoded);
 * Buffer#write per line into a reused buffer measured 2.5 times faster on the benchmark's 77 MB of output.
 */
abstract class Utf8Lines implements PieceSink {
  protected buf: Buffer;
  /** Bytes of buf in use. */
  used = 0;

  constructor(initialBytes: number) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  line(text: string): void {
    this.text(text);
    this.buf[this.used++] = 0x0a;
  }

  text(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit; +1 leaves room for line()'s newline.
    const worst = text.length * 3 + 1;
    if (this.used + worst > this.buf.length) this.makeRoom(worst);
    this.used += this.buf.write(text, this.used, 'utf8');
  }

  // The pieces of a packet line. Why stores, not Buffer#write: a line's literals are a few bytes each, and a call
  // into C++ per piece (or flattening the joined string for one call) cost more than copying them here.

  ascii(text: string): void {
    const n = text.length;
    if (this.used + n > this.buf.length) this.makeRoom(n);
    const buf = this.buf;
    let at = this.used;
    for (let i = 0; i < n; i++) buf[at++] = text.charCodeAt(i);
    this.used = at;
  }

  uint(n: number): void {
    // Anything but a 32-bit unsigned integer (none of the printers pass one) is written as StringOut writes it.
    if ((n >>> 0) !== n) return this.ascii(String(n));
    if (this.used + 10 > this.buf.length) this.makeRoom(10);
    this.used = writeDecimal(this.buf, this.used, n);
  }

  uintPadded(n: number, width: number): void {
    if ((n >>> 0) !== n) return this.ascii(padded(n, width));
    const zeros = width - decimalDigits(n);
    if (this.used + 10 + width > this.buf.length) this.makeRoom(10 + width);
    for (let i = 0; i < zeros; i++) this.buf[this.used++] = 0x30;
    this.used = writeDecimal(this.buf, this.used, n);
  }

  asciiBytes(data: Uint8Array, from: number, to: number): void {
    const n = to - from;
    if (this.used + n > this.buf.length) this.makeRoom(n);
    this.buf.set(data.subarray(from, to), this.used);
    this.used += n;
  }

  jsonString(s: string): void {
    // One pass for the usual text (printable ASCII): copied as it is checked. Anything else goes back to the start
    // and is written as the other sinks write it.
    const n = s.length;
    if (this.used + n + 2 > this.buf.length) this.makeRoom(n + 2);
    const buf = this.buf;
    const start = this.used;
    let at = start;
    buf[at++] = 0x22;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c >= 0x7f || c === 0x22 || c === 0x5c) {
        // DEL (0x7f) is printable for JSON but outside ascii(); with non-ASCII text it takes the UTF-8 path.
        this.used = start;
        if (jsonVerbatim(s)) {
          buf[this.used++] = 0x22;
          this.text(s);
          this.ascii('"');
        } else {
          this.text(JSON.stringify(s));
        }
        return;
      }
      buf[at++] = c;
    }
    buf[at++] = 0x22;
    this.used = at;
  }

  endLine(): void {
    if (this.used + 1 > this.buf.length) this.makeRoom(1);
    this.buf[this.used++] = 0x0a;
  }

  abstract flush(): void;

  /** Makes room for `bytes` more after `used`. */
  protected abstract makeRoom(bytes: number): void;
}

/** Buffers kept for reuse once the writer has taken them: what the output queue holds at most, and some. */
const SPARE_BUFFERS_MAX = 40;

export class ByteSink extends Utf8Lines {
  /** Chunk buffers the writer has finished with (it called `taken`), ready to be filled again. */
  private readonly spare: Buffer[] = [];

  /**
   * `write` receives a chunk it owns until it calls `taken` (a pipe's stream queues writes): the sink then fills the
   * buffer again. Why not a copy per chunk: a chunk waiting on a pipe outlives a young-generation collection, is
   * promoted, and its 128 KiB stay allocated until the next full collection, which the heap's size decides without
   * them (piping the 300,000-packet benchmark capture's NDJSON into `cat`: 203 MB peak instead of 151 to /dev/null).
   * A writer that never calls `taken` only gets a new buffer each time.
   */
  constructor(private readonly write: (chunk: Uint8Array, taken: () => void) => void) {
    super(CHUNK_BYTES);
  }

  protected makeRoom(bytes: number): void {
    this.flush();
    if (bytes > this.buf.length) this.buf = Buffer.allocUnsafe(bytes);
  }

  /** Bytes already encoded (a --jobs thread's lines). */
  bytes(chunk: Uint8Array): void {
    if (this.used + chunk.length > this.buf.length) {
      this.flush();
      if (chunk.length > this.buf.length) {
        this.write(Uint8Array.from(chunk), () => {});
        return;
      }
    }
    this.buf.set(chunk, this.used);
    this.used += chunk.length;
  }

  flush(): void {
    if (this.used === 0) return;
    const full = this.buf;
    const chunk = full.subarray(0, this.used);
    // Only buffers of the usual size go round again (one made larger for a long line is left to the collector).
    this.buf = this.spare.pop() ?? Buffer.allocUnsafe(CHUNK_BYTES);
    this.used = 0;
    let once = false;
    this.write(chunk, () => {
      if (once) return;
      once = true;
      if (full.length === CHUNK_BYTES && this.spare.length < SPARE_BUFFERS_MAX) this.spare.push(full);
    });
  }
}

/** A --jobs thread's lines, kept whole until take() hands them over (the packets' byte offsets are `used`). */
export class FrameBytes extends Utf8Lines {
  constructor() {
    super(64 * 1024);
  }

  flush(): void {}

  take(): Uint8Array {
    const bytes = new Uint8Array(this.used);
    bytes.set(this.buf.subarray(0, this.used));
    this.used = 0;
    return bytes;
  }

  protected makeRoom(bytes: number): void {
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.used + bytes));
    this.buf.copy(grown, 0, 0, this.used);
    this.buf = grown;
  }
}

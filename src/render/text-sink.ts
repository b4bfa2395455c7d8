// Collects rendered text and hands it to a writer in large chunks, so output costs one write per ~64 KiB, not per line.
// Must not decide what to print: renderers produce the strings, the CLI owns the writer.

import { latin1 } from '../decode/latin1.js';
import { ZEROS, type LineOut } from './line-out.js';

export interface TextWriter {
  write(text: string): void;
}

/**
 * Where renderers put their text: whole lines, or a line piece by piece (text() and the other LineOut methods)
 * closed by endLine(). Pieces and lines come out in the order they were given.
 */
export interface LineSink extends LineOut {
  line(text: string): void;
  /** Ends the line written piece by piece. */
  endLine(): void;
  flush(): void;
}

export class TextSink implements LineSink {
  private parts: string[] = [];
  private pendingChars = 0;

  constructor(
    private readonly writer: TextWriter,
    /** Flush once this many characters are pending (a few large writes beat many small ones). */
    private readonly flushAtChars = 64 * 1024,
  ) {}

  line(text: string): void {
    this.parts.push(text, '\n');
    this.pendingChars += text.length + 1;
    if (this.pendingChars >= this.flushAtChars) this.flush();
  }

  text(text: string): void {
    this.parts.push(text);
    this.pendingChars += text.length;
    if (this.pendingChars >= this.flushAtChars) this.flush();
  }

  ascii(text: string): void {
    this.text(text);
  }

  uint(n: number): void {
    this.text(String(n));
  }

  uintPadded(n: number, width: number): void {
    const t = String(n);
    this.text(t.length >= width ? t : ZEROS.slice(0, width - t.length) + t);
  }

  asciiBytes(data: Uint8Array, from: number, to: number): void {
    this.text(latin1(data, from, to));
  }

  endLine(): void {
    this.text('\n');
  }

  flush(): void {
    if (this.parts.length === 0) return;
    const out = this.parts.join('');
    this.parts = [];
    this.pendingChars = 0;
    this.writer.write(out);
  }
}

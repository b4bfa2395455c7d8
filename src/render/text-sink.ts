// Collects rendered text and hands it to a writer in large chunks, so output costs one write per ~64 KiB, not per line.
// Must not decide what to print: renderers produce the strings, the CLI owns the writer.

import { latin1 } from '../decode/latin1.js';
import { padded, type LineOut } from './line-out.js';

export interface TextWriter {
  write(text: string): void;
}

/** Where renderers put their text: whole lines, or pieces of text. */
export interface LineSink {
  line(text: string): void;
  text(text: string): void;
  flush(): void;
}

/**
 * A LineSink that also takes a line piece by piece (the LineOut methods, closed by endLine()), in order with its
 * whole lines: the timeline writes packet lines into it without making a string of each (TextSink, the CLI's byte
 * sinks). A plain LineSink gets whole lines.
 */
export interface PieceSink extends LineSink, LineOut {
  /** Ends the line written piece by piece. */
  endLine(): void;
}

export function takesPieces(sink: LineSink): sink is PieceSink {
  return typeof (sink as Partial<PieceSink>).endLine === 'function';
}

export class TextSink implements PieceSink {
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
    this.text(padded(n, width));
  }

  asciiBytes(data: Uint8Array, from: number, to: number): void {
    this.text(latin1(data, from, to));
  }

  jsonString(s: string): void {
    this.text(JSON.stringify(s));
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

// Collects rendered text and hands it to a writer in large chunks, so output costs one write per ~64 KiB, not per line.
// Must not decide what to print: renderers produce the strings, the CLI owns the writer.

export interface TextWriter {
  write(text: string): void;
}

/** Where renderers put their text, a line (or a piece) at a time. */
export interface LineSink {
  line(text: string): void;
  text(text: string): void;
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

  flush(): void {
    if (this.parts.length === 0) return;
    const out = this.parts.join('');
    this.parts = [];
    this.pendingChars = 0;
    this.writer.write(out);
  }
}

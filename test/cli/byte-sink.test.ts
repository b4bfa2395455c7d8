// ByteSink: the bytes written are exactly the UTF-8 of the lines, whatever their size, and every chunk is the writer's own
// until the writer says it is done with it.

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ByteSink } from '../../src/cli/byte-sink.js';

function collect() {
  const chunks: Uint8Array[] = [];
  const sink = new ByteSink((c) => chunks.push(c));
  const text = () => Buffer.concat(chunks).toString('utf8');
  return { chunks, sink, text };
}

describe('ByteSink', () => {
  test('lines and pieces in order, multi-byte characters intact', () => {
    const { sink, text } = collect();
    sink.line('  tcp.state client ESTABLISHED → FIN_WAIT_1');
    sink.text('a');
    sink.text('µ');
    sink.line('');
    sink.line('中文 😀');
    sink.flush();
    expect(text()).toBe('  tcp.state client ESTABLISHED → FIN_WAIT_1\naµ\n中文 😀\n');
  });

  test('a line longer than the buffer, and many lines across chunk boundaries', () => {
    const { sink, text, chunks } = collect();
    const long = '→'.repeat(200_000);
    const lines: string[] = [];
    for (let i = 0; i < 20_000; i++) lines.push(`line ${i} ${'x'.repeat(i % 97)} →`);
    lines.splice(7_000, 0, long);
    for (const l of lines) sink.line(l);
    sink.flush();
    expect(text()).toBe(lines.join('\n') + '\n');
    expect(chunks.length).toBeGreaterThan(5);
  });

  test('each chunk is a copy: the sink reusing its buffer does not change what was handed out', () => {
    const { sink, chunks } = collect();
    sink.line('first');
    sink.flush();
    sink.line('SECOND');
    sink.flush();
    expect(Buffer.from(chunks[0]!).toString()).toBe('first\n');
    expect(Buffer.from(chunks[1]!).toString()).toBe('SECOND\n');
  });

  test('a chunk is the writer’s until it calls taken; then its buffer is filled again, not before', () => {
    const handed: { chunk: Uint8Array; taken: () => void }[] = [];
    const sink = new ByteSink((chunk, taken) => handed.push({ chunk, taken }));
    sink.line('first');
    sink.flush();
    sink.line('second');
    sink.flush();
    // Not taken yet: two buffers, each still holding its own line.
    expect(handed[0]!.chunk.buffer).not.toBe(handed[1]!.chunk.buffer);
    expect(Buffer.from(handed[0]!.chunk).toString()).toBe('first\n');
    handed[0]!.taken();
    handed[0]!.taken(); // a second call changes nothing
    sink.line('third');
    sink.flush();
    sink.line('fourth');
    sink.flush();
    // 'third' went into the buffer the sink was filling; 'fourth' into the first one, back once (the second, never
    // taken, was left alone); a fifth needs a new buffer.
    expect(handed[3]!.chunk.buffer).toBe(handed[0]!.chunk.buffer);
    sink.line('fifth');
    sink.flush();
    expect(new Set(handed.map((h) => h.chunk.buffer)).size).toBe(4);
    expect(Buffer.from(handed[1]!.chunk).toString()).toBe('second\n');
    expect(Buffer.from(handed[2]!.chunk).toString()).toBe('third\n');
    expect(Buffer.from(handed[3]!.chunk).toString()).toBe('fourth\n');
  });

  test('jsonString writes what JSON.stringify writes, whatever the text and wherever the buffer fills', () => {
    const text = fc.oneof(
      fc.string({ unit: 'grapheme-ascii', maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ unit: fc.constantFrom('a', '"', '\\', '\u0000', '\u001f', '\u007f', 'é', '→', '\ud800', '\udc00', '😀'), maxLength: 20 }),
      // Longer than the sink's 128 KiB buffer.
      fc.constantFrom('x'.repeat(200_000), `${'y'.repeat(140_000)}→`, `${'z'.repeat(131_000)}"`),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(130_000), text), { maxLength: 6 }), (parts) => {
        const { sink, text: written } = collect();
        let expected = '';
        for (const [pad, s] of parts) {
          // Padding moves where each string meets the end of the buffer.
          sink.ascii('p'.repeat(pad % 2000 === 0 ? pad : pad % 2000));
          sink.jsonString(s);
          expected += 'p'.repeat(pad % 2000 === 0 ? pad : pad % 2000) + JSON.stringify(s);
        }
        sink.flush();
        expect(written()).toBe(expected);
      }),
      { numRuns: 200 },
    );
  });

  test('flush with nothing pending writes nothing', () => {
    const { sink, chunks } = collect();
    sink.flush();
    expect(chunks).toHaveLength(0);
  });
});

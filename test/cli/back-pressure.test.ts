// Output to a slow reader: runCli waits (CliStream.drained) between input chunks and between the records and rows it
// prints at the end, so what waits for the reader stays bounded; the bytes are the same as with a reader that keeps up.
// A fake stdout plays the pipe: it queues what is written and lets the reader take it only when the run waits.

import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { TcpFlag } from '../../src/types.js';
import { etherIpv4Tcp } from '../helpers/packet-builder.js';
import { pcap } from '../helpers/pcap-writer.js';

/** What the fake reader lets queue before the run must wait. */
const QUEUE_LIMIT_BYTES = 64 * 1024;

let dir = '';
let capture = '';
/** 20,000 connections of one SYN each, all still open at the end of the input. */
let openAtEnd = '';

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tcptrace-backpressure-'));
  capture = path.join(dir, 'flood.pcap');
  // 20,000 refused connections (a SYN, then the server's RST), 1 ms apart: about 2.6 MB of capture (three input
  // chunks), about 19 MB of timeline, and a connection table of 20,000 rows. Refused connections are reported 5 s of capture
  // after their RST, as packets arrive; a last SYN a minute later has the last of them reported before it, not at the
  // end of the input, where every connection still open or waiting is reported in one go (bounded as their analysis
  // state is).
  const records = [];
  for (let i = 0; i < 20_000; i++) {
    const client = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    const port = 1024 + (i % 60000);
    const tsSec = 1_700_000_000 + Math.floor(i / 1000);
    const tsFrac = (i % 1000) * 1000;
    records.push({
      data: etherIpv4Tcp({ src: client, dst: '10.0.0.1' }, { srcPort: port, dstPort: 80, seq: 1000 + i, flags: TcpFlag.SYN }),
      tsSec,
      tsFrac,
    });
    records.push({
      data: etherIpv4Tcp(
        { src: '10.0.0.1', dst: client },
        { srcPort: 80, dstPort: port, seq: 0, ack: 1001 + i, flags: TcpFlag.RST | TcpFlag.ACK },
      ),
      tsSec,
      tsFrac: tsFrac + 100,
    });
  }
  records.push({
    data: etherIpv4Tcp({ src: '10.200.0.1', dst: '10.0.0.1' }, { srcPort: 5000, dstPort: 80, seq: 1, flags: TcpFlag.SYN }),
    tsSec: 1_700_000_100,
    tsFrac: 0,
  });
  writeFileSync(capture, pcap(records));
  openAtEnd = path.join(dir, 'open-at-end.pcap');
  writeFileSync(openAtEnd, pcap(records.filter((_, i) => i % 2 === 0 && i < 40_000)));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: Buffer;
  /** The most bytes written and not yet taken by the reader, while packets were read and after. */
  maxQueuedReading: number;
  maxQueuedAtEnd: number;
  /** Waits the run made for the reader while reading packets, and after the whole input was analysed. */
  waitsReading: number;
  waitsAtEnd: number;
  /** Calls of CliIo.whilePrinting (the heap guard, between the records and lines printed at the end). */
  printingChecks: number;
}

async function run(args: string[], slowReader: boolean, file = capture): Promise<Run> {
  const taken: Buffer[] = [];
  let queue: { chunk: Uint8Array; taken: () => void }[] = [];
  let queued = 0;
  let maxQueuedReading = 0;
  let maxQueuedAtEnd = 0;
  const note = () => {
    if (inputDone) maxQueuedAtEnd = Math.max(maxQueuedAtEnd, queued);
    else maxQueuedReading = Math.max(maxQueuedReading, queued);
  };
  let inputDone = false;
  let waitsReading = 0;
  let waitsAtEnd = 0;
  let printingChecks = 0;
  const take = () => {
    for (const q of queue) {
      taken.push(Buffer.from(q.chunk));
      q.taken();
    }
    queue = [];
    queued = 0;
  };
  const code = await runCli([...args, file], {
    stdout: {
      write: (text) => {
        queue.push({ chunk: Buffer.from(text), taken: () => {} });
        queued += Buffer.byteLength(text);
        note();
        if (!slowReader) take();
      },
      writeBytes: (chunk, done) => {
        queue.push({ chunk, taken: done });
        queued += chunk.length;
        note();
        if (!slowReader) take();
      },
      drained: () => {
        if (queued <= QUEUE_LIMIT_BYTES) return undefined;
        if (inputDone) waitsAtEnd++;
        else waitsReading++;
        return new Promise<void>((resolve) => setImmediate(() => { take(); resolve(); }));
      },
      isTTY: false,
    },
    stderr: { write: () => {} },
    stdin: Readable.from([]),
    env: {},
    readTextFile: (p) => readFile(p, 'utf8'),
    afterBatch: (done) => {
      if (done === true) inputDone = true;
    },
    whilePrinting: () => {
      expect(inputDone).toBe(true);
      printingChecks++;
    },
  });
  take();
  return { code, stdout: Buffer.concat(taken), maxQueuedReading, maxQueuedAtEnd, waitsReading, waitsAtEnd, printingChecks };
}

describe('back-pressure from a slow reader', () => {
  // Bounds: while reading, the reader's limit plus what 256 packets or reports print, and the sink's buffer (the run
  // looks at the queue every 256 of them); at the end, one record or line past the limit. A 1 MiB chunk of this
  // capture prints 6 to 15 MB.
  const EVENTS_OUTPUT = QUEUE_LIMIT_BYTES + 512 * 1024;
  const LINE_BY_LINE = QUEUE_LIMIT_BYTES + 256 * 1024;
  test.each([
    // The timeline, then the table.
    [['--color', 'never'], EVENTS_OUTPUT, LINE_BY_LINE],
    // NDJSON: records per packet, connection records as they are reported.
    [['--format', 'ndjson'], EVENTS_OUTPUT, LINE_BY_LINE],
    // One JSON document: the connection records wait to the end, then go out one by one.
    [['--format', 'json'], EVENTS_OUTPUT, LINE_BY_LINE],
    // Only the table, at the end, line by line.
    [['--summary', '--color', 'never'], 0, LINE_BY_LINE],
  ])('%j: the same bytes, and what waits for the reader stays bounded', async (args, reading, atEnd) => {
    const fast = await run(args, false);
    const slow = await run(args, true);
    expect(slow.code).toBe(0);
    expect(fast.code).toBe(0);
    expect(slow.stdout.equals(fast.stdout)).toBe(true);
    // Without the waits the whole output queued (it did: the benchmark capture's NDJSON, 1.3 GB).
    expect(slow.stdout.length).toBeGreaterThan(2 * Math.max(reading, atEnd));
    expect(slow.maxQueuedReading).toBeLessThanOrEqual(reading);
    expect(slow.maxQueuedAtEnd).toBeLessThanOrEqual(atEnd);
    if (reading > 0) expect(slow.waitsReading).toBeGreaterThan(0);
    if (args[1] !== 'ndjson') expect(slow.waitsAtEnd).toBeGreaterThan(0);
    // The heap guard between the 20,000 JSON records (every 64) or the table's 40,000 lines (every 2048).
    if (args[1] === 'json') expect(slow.printingChecks).toBe(Math.floor(20_001 / 64));
    else if (args[1] !== 'ndjson') expect(slow.printingChecks).toBeGreaterThanOrEqual(19);
  }, 60_000);

  test('the reports made at the end of the input (connections still open) wait for the reader one by one', async () => {
    const fast = await run(['--format', 'ndjson'], false, openAtEnd);
    const slow = await run(['--format', 'ndjson'], true, openAtEnd);
    expect(slow.code).toBe(0);
    expect(slow.stdout.equals(fast.stdout)).toBe(true);
    // 20,000 connection records (about 24 MB) at the end; never more than one past the reader's limit waiting.
    expect(slow.stdout.toString().split('\n').filter((l) => l.startsWith('{"type":"connection"'))).toHaveLength(20_000);
    // (They go out before afterBatch(true), so the fake counts them while reading.)
    expect(Math.max(slow.maxQueuedReading, slow.maxQueuedAtEnd)).toBeLessThanOrEqual(QUEUE_LIMIT_BYTES + 256 * 1024);
    expect(slow.waitsReading).toBeGreaterThan(100);
  }, 60_000);

  test('the capture is what the comments say: three input chunks, a SYN and a RST per connection', () => {
    const size = readFileSync(capture).length;
    expect(size).toBeGreaterThan(2 * 1024 * 1024);
    expect(size).toBeLessThan(3 * 1024 * 1024);
  });
});

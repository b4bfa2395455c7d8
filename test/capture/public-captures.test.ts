// Every shared public capture read by our reader, checked against independent sources: the manifest and capinfos
// record counts, pcap-parser (classic µs pcaps) and tshark's timestamps (pcapng and ns pcaps, from tshark-epochs.tsv).
// Skips when the shared captures are absent; never runs tshark itself.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCaptureSync } from '../../src/capture/index.js';

const PUBLIC_DIR = path.resolve(import.meta.dirname, '../../../shared/captures/public');
const MANIFEST = path.join(PUBLIC_DIR, 'MANIFEST.tsv');
const TSHARK_EPOCHS = path.join(import.meta.dirname, 'tshark-epochs.tsv');
const present = existsSync(MANIFEST);

interface ManifestRow {
  /** Path under the public captures directory. */
  file: string;
  packets: number;
}

function manifest(): ManifestRow[] {
  const [head, ...rows] = readFileSync(MANIFEST, 'utf8').trim().split('\n');
  const cols = head.split('\t');
  const pathCol = cols.indexOf('path');
  const packetsCol = cols.indexOf('packets');
  return rows.map((row) => {
    const fields = row.split('\t');
    return { file: fields[pathCol].replace(/^shared\/captures\/public\//, ''), packets: Number(fields[packetsCol]) };
  });
}

/** pcap-parser's events for one file (classic µs pcap only), in order. */
interface OraclePacket {
  header: { timestampSeconds: number; timestampMicroseconds: number; capturedLength: number; originalLength: number };
  data: Buffer;
}
interface PcapParserEmitter {
  on(event: 'packet', listener: (packet: OraclePacket) => void): this;
  on(event: 'end', listener: () => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
}
const pcapParser = createRequire(import.meta.url)('pcap-parser') as { parse(input: string): PcapParserEmitter };

function oraclePackets(file: string): Promise<OraclePacket[]> {
  return new Promise((resolve, reject) => {
    const packets: OraclePacket[] = [];
    pcapParser
      .parse(file)
      .on('packet', (packet) => packets.push(packet))
      .on('end', () => resolve(packets))
      .on('error', reject);
  });
}

describe.runIf(present)('shared public captures', () => {
  const rows = present ? manifest() : [];

  it('lists captures to check', () => {
    expect(rows.length).toBeGreaterThan(50);
  });

  it.each(rows.map((r) => [r.file, r.packets] as const))('%s: %i records, as the manifest and capinfos say', (file, packets) => {
    const { records, warnings } = readCaptureSync(readFileSync(path.join(PUBLIC_DIR, file)));
    expect(records).toHaveLength(packets);
    const capinfos = readFileSync(path.join(PUBLIC_DIR, `${file}.capinfos.txt`), 'utf8');
    expect(Number(/^Number of packets:\s+(\d+)$/m.exec(capinfos)?.[1])).toBe(records.length);
    expect(warnings.filter((w) => w.code === 'capture.corrupt' || w.code === 'capture.truncated-record')).toEqual([]);
  });

  const classicMicro = rows
    .map((r) => r.file)
    .filter((file) => {
      const magic = readFileSync(path.join(PUBLIC_DIR, file)).subarray(0, 4).toString('hex');
      return magic === 'd4c3b2a1' || magic === 'a1b2c3d4';
    });

  it('finds classic microsecond pcaps for pcap-parser', () => {
    expect(classicMicro.length).toBeGreaterThan(40);
  });

  it.each(classicMicro)('%s: same records as pcap-parser', async (file) => {
    const full = path.join(PUBLIC_DIR, file);
    const expected = (await oraclePackets(full)).map((p, i) => ({
      index: i + 1,
      tsSec: p.header.timestampSeconds,
      tsNsec: p.header.timestampMicroseconds * 1000,
      capLen: p.header.capturedLength,
      origLen: p.header.originalLength,
      data: Array.from(p.data),
    }));
    const ours = readCaptureSync(readFileSync(full)).records.map((r) => ({
      index: r.index,
      tsSec: r.tsSec,
      tsNsec: r.tsNsec,
      capLen: r.capLen,
      origLen: r.origLen,
      data: Array.from(r.data),
    }));
    expect(ours).toEqual(expected);
  });

  it('matches tshark timestamps, lengths and interface ids on every pcapng and nanosecond pcap', () => {
    const lines = readFileSync(TSHARK_EPOCHS, 'utf8')
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'));
    const byFile = new Map<string, string[]>();
    for (const line of lines) {
      const file = line.split('\t')[0];
      byFile.set(file, [...(byFile.get(file) ?? []), line]);
    }
    expect(byFile.size).toBeGreaterThan(10);
    for (const [file, expected] of byFile) {
      const { records } = readCaptureSync(readFileSync(path.join(PUBLIC_DIR, file)));
      const ours = records.map(
        (r) => `${file}\t${r.index}\t${r.tsSec}.${String(r.tsNsec).padStart(9, '0')}\t${r.capLen}\t${r.origLen}\t${r.interfaceId}`,
      );
      expect(ours, file).toEqual(expected);
    }
  });

  it('keeps the invalid microsecond fields of timestamp_invalid_micro.pcap as read, as tcpdump prints them', () => {
    const { records, warnings } = readCaptureSync(readFileSync(path.join(PUBLIC_DIR, 'tcpdump/timestamp_invalid_micro.pcap')));
    // tcpdump 4.99: 17:16:09.999999, 17:16:10.1000000, 17:16:10.2147483648 (newer releases append " (invalid us)").
    expect(records.map((r) => [r.tsSec, r.tsNsec / 1000])).toEqual([
      [1_418_145_369, 999_999],
      [1_418_145_370, 1_000_000],
      [1_418_145_370, 2_147_483_648],
    ]);
    expect(warnings.map((w) => [w.code, w.frame])).toEqual([['capture.bad-timestamp', 2]]);
  });
});

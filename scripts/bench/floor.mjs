// The benchmark's floor: a bare Node loop over a classic pcap's records (header fields and ethertype, no decoding), then one JSON line.
// It must stay this bare so it measures read and loop cost only, and it must not import the analyzer.

import fs from 'node:fs';

const file = process.argv[2];
if (!file) {
  console.error('usage: node scripts/bench/floor.mjs CAPTURE.pcap');
  process.exit(2);
}
const fd = fs.openSync(file, 'r');
const buf = Buffer.allocUnsafe(4 << 20);
let have = fs.readSync(fd, buf, 0, buf.length, null);
if (have < 24) throw new Error('not a pcap: short global header');
const magic = buf.readUInt32LE(0);
const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
if (!le && magic !== 0xd4c3b2a1 && magic !== 0x4d3cb2a1) throw new Error('not a classic pcap');
let pos = 24;
let packets = 0, capBytes = 0, ipv4 = 0, ipv6 = 0;
for (;;) {
  while (pos + 16 <= have) {
    const capLen = le ? buf.readUInt32LE(pos + 8) : buf.readUInt32BE(pos + 8);
    if (pos + 16 + capLen > have) break;
    const etherType = capLen >= 14 ? (buf[pos + 28] << 8) | buf[pos + 29] : 0;
    if (etherType === 0x0800) ipv4++; else if (etherType === 0x86dd) ipv6++;
    packets++; capBytes += capLen;
    pos += 16 + capLen;
  }
  const rest = have - pos;
  if (rest > 0 && pos === 0) throw new Error(`record larger than the ${buf.length}-byte read buffer`);
  buf.copy(buf, 0, pos, have);
  const n = fs.readSync(fd, buf, rest, buf.length - rest, null);
  have = rest + n;
  pos = 0;
  if (n === 0) break;
}
fs.closeSync(fd);
process.stdout.write(JSON.stringify({ packets, capBytes, ipv4, ipv6 }) + '\n');

// Dev-only: prints tcpdump -# style packet lines ("%5d  <line>") for a capture, to score the decoders and the
// packet-line renderer with the conformance script before the real CLI exists. Not shipped; not the CLI.

import { readFileSync } from 'node:fs';
import { decodePacket, isTcpPacket } from '../../src/decode/decode-frame.js';
import { formatPacketLine } from '../../src/render/packet-line.js';
import { newSeqView, TcpdumpSeq } from '../../src/tcp/tcpdump-seq.js';
import { readCaptureSync } from '../../src/capture/index.js';
import { interfaceName } from '../../src/cli/interfaces.js';

const argv = process.argv.slice(2);
const args = argv.filter((a) => !a.startsWith('-'));
const numbered = argv.includes('--number') || argv.includes('-#');
const nano = argv.includes('--nano');
const absolute = argv.includes('-S');
// Like the CLI's --no-annotate output: TCP packets only, unless --all.
const all = argv.includes('--all');
const tFlag = argv.find((a) => /^-t+$/.test(a));
const tsStyle = tFlag === undefined ? 0 : tFlag.length - 1;

const capture = readCaptureSync(new Uint8Array(readFileSync(args[0])));
const seq = new TcpdumpSeq({ absolute });
const view = newSeqView();
const out: string[] = [];
let prev: { tsSec: number; tsNsec: number } | null = null;
const first = capture.records[0] ?? null;
for (const record of capture.records) {
  const packet = decodePacket(record);
  if (packet.tcp !== null) seq.apply(packet, view);
  else seq.noteNonTcp(view);
  if (all || isTcpPacket(packet)) out.push(formatPacketLine(packet, view, {
    tsStyle, nano, number: numbered ? record.index : undefined, prevTs: prev, firstTs: first,
    interfaceName,
  }));
  prev = record;
}
process.stdout.write(out.join('\n') + '\n');

// The annotated timeline: tcpdump's packet line for each TCP packet, then its annotations on indented lines.
// Pure rendering of PacketEvents: never computes analysis (numbers, flags and texts all come from the event).

import type { PacketEvent } from '../report.js';
import type { Palette } from './color.js';
import { PLAIN_PALETTE, styleForCode } from './color.js';
import { takesPieces, type LineSink } from './text-sink.js';
import type { TsValue } from './timestamp.js';
import { formatPacketLine, writePacketLine, type PacketLineOptions } from './packet-line.js';
import type { InterfaceNameResolver } from './packet-line-link.js';
import { tcpdumpRejectsRecord } from '../decode/common.js';
import { isTcpPacket } from '../decode/decode-frame.js';

export interface TimelineOptions {
  annotate: boolean;
  /** tcpdump -#: frame number, right-aligned in 5 columns, then two spaces. */
  number: boolean;
  tsStyle: number;
  nano: boolean;
  palette: Palette;
  /** SLL2 interface index to name; tcpdump asks the machine that reads the file (if_indextoname). */
  interfaceName?: InterfaceNameResolver;
}

/** Annotation lines start with whitespace, so `grep -v '^ '`-style tools and tcpdump-line diffs stay easy. */
const INDENT = '      ';

export class TimelineRenderer {
  private prevTs: TsValue | null = null;
  private firstTs: TsValue | null = null;

  constructor(private readonly opts: TimelineOptions) {}

  /** Whether the event gets a line: every packet tcpdump prints as TCP (DESIGN.md's output contract), including
   *  TCP cut before its ports and non-first fragments. Tracks times for -ttt/-ttttt either way. */
  wants(ev: PacketEvent): boolean {
    const wanted = ev.conn >= 0 || isTcpPacket(ev.packet);
    if (!wanted) this.noteTime(ev);
    return wanted;
  }

  /** Reused for every line (rendering is synchronous). */
  private readonly lineOptions: PacketLineOptions = { tsStyle: 0 };

  render(ev: PacketEvent, sink: LineSink): void {
    const o = this.opts;
    const lo = this.lineOptions;
    lo.tsStyle = o.tsStyle;
    lo.nano = o.nano;
    lo.prevTs = this.prevTs;
    lo.firstTs = this.firstTs;
    lo.number = o.number ? ev.frame : undefined;
    lo.interfaceName = o.interfaceName;
    // Written piece by piece where the sink takes pieces: the CLI's byte sink encodes it in place, no string made.
    const pieces = takesPieces(sink);
    if (pieces) {
      writePacketLine(sink, ev.packet, ev.display, lo);
      sink.endLine();
    } else {
      sink.line(formatPacketLine(ev.packet, ev.display, lo));
    }
    this.noteTime(ev);
    if (!o.annotate) return;
    const anns = ev.annotations;
    // Colour wraps the text and the code in escapes made as strings: those lines are made whole.
    const piecewise = pieces && o.palette === PLAIN_PALETTE;
    for (let i = 0; i < anns.length; i++) {
      const a = anns[i]!;
      if (piecewise) {
        sink.ascii(INDENT);
        sink.text(a.text);
        sink.ascii(' [');
        sink.ascii(a.code);
        sink.ascii(']');
        sink.endLine();
      } else {
        sink.line(`${INDENT}${styleForCode(a.code, o.palette)(`${a.text}`)} ${o.palette.dim(`[${a.code}]`)}`);
      }
    }
  }

  /** A packet another renderer shows (a shard of --jobs): only its time is noted, for the -ttt and -ttttt styles. */
  skip(ev: PacketEvent): void {
    this.noteTime(ev);
  }

  private noteTime(ev: PacketEvent): void {
    const rec = ev.packet.record;
    // tcpdump refuses such a record before ts_print: it is nobody's previous or first time.
    if (tcpdumpRejectsRecord(rec.capLen, rec.origLen)) return;
    // tcpdump's -ttttt reference is the first record whose time is not 0.0 (print.c ts_print).
    if (this.firstTs === null && (rec.tsSec !== 0 || rec.tsNsec !== 0)) this.firstTs = rec;
    this.prevTs = rec;
  }
}

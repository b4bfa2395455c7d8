// The analysis pipeline: a synchronous core (Analyzer.push per record, finish at the end) and thin async edges.
// Owns the wiring decode -> tcp -> stream -> http; must not format text (render/) nor touch fs/stdout (capture/open, cli/).

import type { Annotation, CaptureRecord, Direction } from './types.js';
import { Codes, TcpFlag } from './types.js';
import { emptyScratch } from './scratch.js';
import type { Packet, TcpHeader } from './decode/packet.js';
import { decodePacket, isTcpPacket, PacketDecoder } from './decode/decode-frame.js';
import { fragmentIpOf, fragmentWhollyCaptured, IpDefragmenter } from './decode/defrag.js';
import type { FragmentIp } from './decode/notes.js';
import { TcpdumpSeq } from './tcp/tcpdump-seq.js';
import { TcpTracker, type ShardFacts } from './tcp/tracker.js';
import { seqGt } from './tcp/seq.js';
import type { CloseReason, Connection, EvictReason } from './tcp/connection.js';
import type { Endpoint } from './tcp/endpoint.js';
import { closeReason, summarize } from './tcp/summary.js';
import { Reassembler, type StreamSink, type EndReason, type SegmentFlags } from './stream/index.js';
import { HttpConnection, type HttpEvent, type HttpExchange, type HttpSummary, type TcpCloseFacts } from './http/index.js';
import { PackedExchanges } from './http/packed-exchanges.js';
import type { CaptureWarningReport, ConnectionReport, PacketEvent, Report, ReportStats } from './report.js';
import { SCHEMA_VERSION } from './report.js';
import type { CaptureWarning } from './capture/errors.js';

export interface AnalyzerOptions {
  /** tcpdump -S: display absolute sequence numbers. */
  absoluteSeq?: boolean;
  /**
   * Compute tcpdump's display numbers (PacketEvent.display) for each packet (default true). Callers that print no
   * packet lines (tables, JSON, checks) turn it off: tcpdump's never-forgetting conversation table is a measurable
   * share of the per-packet cost.
   */
  displaySeq?: boolean;
  /** Capture seconds a closed connection stays tracked (TIME_WAIT, 2*MSL). */
  timeWaitSec?: number;
  /** Most connections tracked at once; beyond it the least recently active one is finalized early. */
  maxConnections?: number;
  /** Out-of-order bytes buffered per direction before the oldest hole is declared a gap. */
  maxBufferedBytesPerDirection?: number;
  /** Called as soon as a connection is finalized (expired after close, evicted, or at finish). */
  onConnection?: (report: ConnectionReport) => void;
  /**
   * Export each connection's HTTP exchanges into its report (default true). Off, ConnectionReport.exchanges is empty
   * and the verdict (ConnectionReport.http) is still complete: callers that print only verdicts and counts save the
   * export, about a kilobyte per exchange held until the report.
   */
  exchanges?: boolean;
  /** Keep every ConnectionReport for finish()'s Report (default true; streaming callers may turn it off). */
  keepConnections?: boolean;
  /**
   * Return one PacketEvent object from every push(), refilled each time, with its packet (and the packet's IP and TCP
   * headers, annotations and display numbers) likewise reused: an event is valid until the next push(). For callers
   * that consume each event at once (default false: each push returns an event of its own). It saves the four or five
   * objects a packet otherwise costs, about a quarter of what the analysis allocates per packet.
   */
  reuseEvents?: boolean;
  /**
   * Word the annotations (default true). Off, every annotation keeps its code, in the same number and order, with an
   * empty text: for callers that print no annotation and only count codes (ConnectionReport.annotationCounts). The
   * wording (addresses, durations, request lines formatted) was about a tenth of a --summary run.
   */
  annotationTexts?: boolean;
  /**
   * Capture seconds between a connection's close (both endpoints in a terminal state) and its report (default 5).
   * Its reassembly and HTTP state are released at the close; the report waits this long so that the stragglers of a
   * close (a retransmitted FIN, the RSTs that answer data in flight) are still counted in it.
   */
  reportAfterCloseSec?: number;
  /**
   * Pack a closed connection from its close to the end of its TIME_WAIT (default true): the tracker then keeps it in
   * typed arrays (TcpTracker.retire), about 0.5 KB instead of 2.5 KB of objects, and gives it back for its report and
   * for stragglers; its HTTP exchanges are packed too while its report waits (PackedExchanges). Events and reports
   * are the same either way; off is for comparison.
   */
  compactTimeWait?: boolean;
  /**
   * Analyse only the connections of one shard of `count` (see TcpTracker's option), for a caller that runs the
   * shards side by side and merges them (cli/shards.ts): every packet is still counted in the stats, the connections
   * of other shards are neither tracked nor reported, and each shard gets an equal share of maxConnections.
   * shardFacts() then says what the merge must check. Ids are the shard's own (0, 1, ... in order of creation).
   */
  shard?: { index: number; count: number };
}

/** What a merge of shards needs from one shard's Analyzer (see TcpTracker's ShardFacts). */
export interface AnalyzerShardFacts extends ShardFacts {
  /** Per connection id of this shard, the packet index that opened it. */
  firstFrames: Float64Array;
  /** The packet index of the first record earlier than the one before it (0: none). */
  timeBackFrame: number;
  /**
   * Some record was earlier than the one before it. The queues that time drives (reports waiting out
   * reportAfterCloseSec, TIME_WAIT) are then out of order, and which connection waits behind which depends on the
   * connections a queue holds: one pass and shards could report a connection at different packets.
   */
  timeWentBack: boolean;
}

/**
 * Per-connection state owned by the pipeline: one reassembler per direction feeding one HTTP parser while the
 * connection is open, then only the HTTP result until the report; after it, nothing (Connection.reported tells the
 * late packets of a connection the tracker keeps through TIME_WAIT not to open a second pipeline).
 */
interface ConnPipeline {
  /**
   * The connection while it is open; null once it is closed and parked in the tracker until its report (its objects
   * packed: TcpTracker.retire), where report() reads it back.
   */
  conn: Connection | null;
  /** The connection's id. */
  id: number;
  /** Reported (or handed to report() by an eviction): nothing more to do for it in the closing queue. */
  reported: boolean;
  streams: [Reassembler, Reassembler] | null;
  http: HttpConnection | null;
  /** Exchanges packed while the report waits (parked), as objects when it goes out at once. */
  httpResult: { summary: HttpSummary; exchanges: readonly HttpExchange[] | PackedExchanges } | null;
  /**
   * Annotation counts by code as pairs [slot, count, slot, count, ...] in order of first occurrence (slots from
   * codeSlot): a connection sees a handful of codes, and a keyed store per annotation into an object with dotted
   * keys was a megamorphic lookup, 2% of a --summary run. The report's record is built from it once.
   */
  codeCounts: number[];
  /** Capture time (s) at which a closed connection is reported. */
  reportAtSec: number;
  /**
   * Per direction, a sequence number past the stream's end taken as a byte the capture lacks (-1 while none): one an
   * ACK showed as the last byte of a body HTTP waited for (noteBodyByte), or a held ACK's settled as a byte
   * (settleHeld). The gap went to HTTP as that byte, so a later ACK of it with the acker's FIN must not make it a FIN
   * (mayInferFin).
   */
  byteSeq0: number;
  byteSeq1: number;
  /**
   * Per direction, an ACK held undecided (-1 while none): it covers one sequence number past all that direction
   * sent (unless HTTP there waits for exactly one more body byte: noteBodyByte). That number is its FIN or a last
   * byte, both lost from the capture: the acker's own FIN soon after makes it the FIN (TcpTracker.inferFin), anything
   * that shows more of the stream makes it a byte, and only then is the ACK given to the stream (Analyzer.settleHeld).
   * Taken at once, it declared a 1-byte gap and stopped HTTP's parse, which the FIN inferred later could not take
   * back. With the ACK's frame.
   */
  heldAck0: number;
  heldAck1: number;
  heldFrame0: number;
  heldFrame1: number;
}

/**
 * Whether the sequence number at `P.seenEnd` (one past all that side sent) is the last byte of a body HTTP waits for:
 * HTTP is one byte short, and it waits there, its stream delivered up to seenEnd. With a hole before bytes captured
 * later, HTTP waits at the hole, and the body's last byte is in it: seenEnd's number is then something else (a FIN).
 */
function bodyByteAtSeenEnd(http: HttpConnection, stream: Reassembler, P: Endpoint, side: Direction): boolean {
  return http.oneByteShort(side) && P.seenEndKnown && stream.offsetOfSeq(P.seenEnd) === stream.deliveredOffset;
}

/** The segment carries bytes its direction's stream has not had yet (not a keep-alive's byte or data sent again). */
function sendsNewData(stream: Reassembler, tcp: TcpHeader): boolean {
  if (tcp.payloadLen === 0) return false;
  const at = stream.offsetOfSeq(tcp.seq);
  return at < 0 || at >= stream.deliveredOffset;
}

/** Records `seq`, past `side`'s stream, as a byte the capture lacks (ConnPipeline.byteSeq0): never a FIN later. */
function takeAsByte(pipe: ConnPipeline, side: Direction, seq: number): void {
  if (side === 0) pipe.byteSeq0 = seq;
  else pipe.byteSeq1 = seq;
}

/** Whether a SACK block (absolute left and right edges in pairs) reaches past `ack`: the acker has bytes after it. */
function sacksPast(sackBlocks: readonly number[] | null, ack: number): boolean {
  if (sackBlocks === null) return false;
  for (let i = 1; i < sackBlocks.length; i += 2) if (seqGt(sackBlocks[i]!, ack)) return true;
  return false;
}

/** The annotations of every event that has none: frozen, so that no caller's push shows up in other events. */
const NO_ANNOTATIONS: readonly Annotation[] = Object.freeze([]);
/** The shared event's packet before the first push. */
const EMPTY_PACKET: Packet = decodePacket({
  index: 0, tsSec: 0, tsNsec: 0, capLen: 0, origLen: 0, linkType: 0, interfaceId: 0, data: new Uint8Array(0),
});
/**
 * PacketEvent.conn of a packet that belongs to another shard's connection (AnalyzerOptions.shard): neither a
 * connection of this analyzer nor "no connection" (-1), so a sharded caller neither shows it nor counts it as TCP
 * without a connection.
 */
export const FOREIGN_CONNECTION = -2;

/** ConnectionReport.exchanges when AnalyzerOptions.exchanges is off. */
const NO_EXCHANGES: readonly HttpExchange[] = Object.freeze([]);
/** PacketEvent.display when display numbers are off: nothing reads it then, so one shared value serves. */
const NO_DISPLAY: PacketEvent['display'] = Object.freeze({ relative: false, seq: 0, ack: 0, sackBase: 0 });

/**
 * Connections tracked at once by default. Each costs about 1.5 KB in the tracker plus its reassembly and HTTP state,
 * so 100,000 keeps a SYN flood under a few hundred MB; busier captures can raise it (AnalyzerOptions.maxConnections).
 */
export const DEFAULT_MAX_CONNECTIONS = 100_000;

/**
 * Capture seconds from a close to the report. Long enough for the stragglers of a close (a FIN retransmitted after
 * Linux's 200 ms minimum RTO, or after a few back-offs), short enough that a proxy's closed connections do not pile
 * up: at 550 connections a second, 5 s holds under 3,000 closed connections' HTTP results, where the 60 s of TIME_WAIT
 * held 33,000 whole pipelines (1.4 GB on the benchmark capture).
 */
export const DEFAULT_REPORT_AFTER_CLOSE_SEC = 5;

/**
 * One direction's reassembled stream into the connection's HTTP parser. A class rather than three closures per
 * direction: a connection's state lives for seconds of capture, so every object of it is copied by the young
 * generation's collections and promoted, and closures cost a context and three functions each.
 */
class HttpStreamSink implements StreamSink {
  /** The reassembler this sink is fed by (set once it is made), to number a gap by sequence number. */
  stream: Reassembler | null = null;

  constructor(
    private readonly http: HttpConnection,
    private readonly dir: Direction,
    private readonly out: HttpEvent[],
    private readonly words: boolean,
    private readonly conn: Connection,
  ) {}

  data(bytes: Uint8Array, offset: number, frame: number, tsSec: number, tsNsec: number): void {
    this.http.data(this.dir, bytes, offset, frame, tsSec, tsNsec, this.out);
  }

  gap(offset: number, length: number, frame: number): void {
    // Bytes the stream will never have (the peer's ACK passed them, the capture cut them, or the out-of-order buffer
    // cap gave up on them: its own annotation says so): stream.gap, before what HTTP makes of the loss. Numbered as
    // the tracker numbers sequence numbers (relative to its base, as tshark and tcp.lost-segment do): a mid-stream
    // start's base comes from the peer's ACK, not from the first byte this stream saw.
    let text = '';
    if (this.words) {
      const from = this.stream === null ? offset + 1 : (this.stream.seqAt(offset) - this.conn.ends[this.dir].baseSeq) >>> 0;
      text = `${this.dir === 0 ? 'client' : 'server'}'s stream: relative seq ${from}:${(from + length) >>> 0} (${length} ${length === 1 ? 'byte' : 'bytes'}) missing`;
    }
    this.out.push({ code: Codes.GAP, text, frame, dir: this.dir, exchange: 0 });
    this.http.gap(this.dir, offset, length, frame, this.out);
  }

  end(_offset: number, frame: number, reason: EndReason): void {
    this.http.end(this.dir, frame, reason, 0, 0, this.out);
  }
}

export class Analyzer {
  private readonly seqView: TcpdumpSeq;
  private readonly displaySeq: boolean;
  private readonly tracker: TcpTracker;
  /** Pipelines by connection id, for finish() (the per-packet path finds them through Connection.owner). */
  private readonly pipelines = new Map<number, ConnPipeline>();
  /**
   * Closed connections waiting for their report, in order of closing (FIFO; consumed from closingHead). A consumed
   * entry is cleared at once: the prefix is dropped only now and then, and until it was, the pipelines it still
   * pointed to (reported, their Connection objects already packed by the tracker) stayed alive: about 2,600 of them
   * on the benchmark capture, as many as were waiting.
   */
  private closing: (ConnPipeline | null)[] = [];
  private closingHead = 0;
  private readonly reportAfterCloseSec: number;
  private readonly connections: ConnectionReport[] = [];
  private readonly opts: AnalyzerOptions;
  /** HTTP events produced while the current packet is processed (sinks append here). */
  private readonly httpOut: HttpEvent[] = [];
  /** The current segment's flags for the reassembler (read during the call only): one object, not one per packet. */
  private readonly segFlags: SegmentFlags = { syn: false, fin: false, rst: false };
  /** The current packet's annotations while it is analysed; copied into its event only when there are any. */
  private readonly scratch: Annotation[] = [];
  /** IP fragments of TCP datagrams, until the datagram is whole (made at the first fragment seen). */
  private defrag: IpDefragmenter | null = null;
  private readonly stats: ReportStats = {
    records: 0,
    tcpPackets: 0,
    otherPackets: 0,
    truncated: 0,
    invalid: 0,
    unsupported: 0,
    connections: 0,
    evictedByCap: 0,
    bufferCapGaps: 0,
    firstTsSec: null,
    lastTsSec: null,
    firstTsNsec: null,
    lastTsNsec: null,
  };
  private readonly warnings: CaptureWarningReport[] = [];
  private finished = false;
  /** With reuseEvents: the decoder whose packet, and the event, every push refills; null otherwise. */
  private readonly decoder: PacketDecoder | null;
  private readonly sharedEvent: PacketEvent | null;
  /** With shards: per connection id, the packet index that opened it (grown by doubling); null otherwise. */
  private firstFrames: Float64Array | null;
  /** Capture time (s, ns) of the previous record, and whether time ever went back (AnalyzerShardFacts). */
  private previousSec = -Infinity;
  private previousNsec = 0;
  private timeWentBack = false;
  private timeBackFrame = 0;

  constructor(opts: AnalyzerOptions = {}) {
    checkOptions(opts);
    this.opts = opts;
    this.seqView = new TcpdumpSeq({ absolute: opts.absoluteSeq === true });
    this.displaySeq = opts.displaySeq !== false;
    this.reportAfterCloseSec = Math.max(0, opts.reportAfterCloseSec ?? DEFAULT_REPORT_AFTER_CLOSE_SEC);
    this.decoder = opts.reuseEvents === true ? new PacketDecoder() : null;
    this.sharedEvent = opts.reuseEvents === true ? this.freshEvent(0, EMPTY_PACKET, -1, -1) : null;
    const shardCount = opts.shard !== undefined && opts.shard.count > 1 ? opts.shard.count : 1;
    const maxConnections = opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    this.firstFrames = shardCount > 1 ? new Float64Array(1024) : null;
    this.tracker = new TcpTracker({
      timeWaitSec: opts.timeWaitSec,
      // Each shard gets its share: a run in which no shard reached it never had more than the whole tracked at once.
      maxConnections: shardCount > 1 ? Math.max(1, Math.floor(maxConnections / shardCount)) : maxConnections,
      shard: shardCount > 1 ? opts.shard : undefined,
      texts: opts.annotationTexts !== false,
      onEvict: (conn: Connection, why: EvictReason) => this.finalize(conn, why === 'limit' ? 'cap' : 'expired'),
      // A response (or request) one byte short of its end when the peer's ACK covers one more sequence number: that is
      // its last byte, lost from the capture, not a FIN (read as a FIN, the message was cut and the close misread).
      // Nor once an earlier ACK made it that byte: the client's bare ACK of a response's lost last byte, then its FIN
      // with the same ACK, read that byte as the server's FIN at the client's FIN (the server "closed first").
      mayInferFin: (conn: Connection, side: Direction) => {
        const pipe = conn.owner as ConnPipeline | null;
        if (pipe === null || pipe.http === null || pipe.streams === null) return true;
        const byteSeq = side === 0 ? pipe.byteSeq0 : pipe.byteSeq1;
        return !bodyByteAtSeenEnd(pipe.http, pipe.streams[side], conn.ends[side], side) && byteSeq !== conn.ends[side].seenEnd;
      },
      // An ACK of that number held undecided (holdAck) showed the FIN first.
      finShownAt: (conn: Connection, side: Direction) => {
        const pipe = conn.owner as ConnPipeline | null;
        if (pipe === null) return 0;
        const heldAck = side === 0 ? pipe.heldAck0 : pipe.heldAck1;
        return heldAck !== -1 && heldAck === ((conn.ends[side].seenEnd + 1) >>> 0) ? (side === 0 ? pipe.heldFrame0 : pipe.heldFrame1) : 0;
      },
    });
  }

  /** Analyse one record. The returned event is the caller's; its packet views the record's bytes. */
  push(record: CaptureRecord): PacketEvent {
    // A caller's mistake (the report is out; its connections would be analysed into nothing), not packet content.
    if (this.finished) throw Object.assign(new Error('Analyzer.push() after finish(): use a new Analyzer for more records'), { code: 'ERR_INVALID_STATE' });
    const stats = this.stats;
    stats.records++;
    // A sub-second field read out of range (kept as read for tcpdump's text) is carried into the seconds here.
    const carrySec = record.tsNsec >= 1e9 ? Math.floor(record.tsNsec / 1e9) : 0;
    if (stats.firstTsSec === null) {
      stats.firstTsSec = record.tsSec + carrySec;
      stats.firstTsNsec = record.tsNsec - carrySec * 1e9;
    }
    stats.lastTsSec = record.tsSec + carrySec;
    stats.lastTsNsec = record.tsNsec - carrySec * 1e9;
    const nowSec = record.tsSec + record.tsNsec * 1e-9;
    if (this.firstFrames !== null) this.noteTimeOrder(record);
    if (this.closingHead < this.closing.length) this.reportClosed(nowSec);
    const packet = this.decoder === null ? decodePacket(record) : this.decoder.decode(record);
    if (packet.problem !== null) {
      if (packet.problem.kind === 'truncated') stats.truncated++;
      else if (packet.problem.kind === 'invalid') stats.invalid++;
      else stats.unsupported++;
    }
    const annotations = this.scratch;
    emptyScratch(annotations);
    // The packet the TCP analysis takes: this one, or for the fragment that completes an IP datagram the datagram made
    // whole. The event keeps the packet as captured (its line is tcpdump's, which does not reassemble). The flag test
    // first: it is all an unfragmented packet costs here.
    let analysed = packet;
    const fragment = packet.ip !== null && (packet.ip.moreFragments || packet.ip.fragOffset > 0 || packet.linkNotes.length !== 0)
      ? fragmentIpOf(packet) : null;
    if (fragment !== null && !this.cutFragment(fragment, annotations)) {
      const whole = this.reassemble(packet, fragment, annotations);
      if (whole === null) {
        // Not TCP until its datagram is whole (tshark lists only the completing fragment as TCP), whatever the
        // order the fragments came in.
        stats.otherPackets++;
        const ev = this.newEvent(record.index, packet, -1, -1);
        // tcpdump prints a first fragment's TCP header, and numbers it relative to its conversation.
        if (this.displaySeq && packet.tcp !== null) this.seqView.apply(packet, ev.display);
        ev.annotations = this.eventAnnotations(annotations);
        return ev;
      }
      analysed = whole;
    }
    const tcp = analysed.tcp;
    if (tcp === null) {
      stats.otherPackets++;
      const ev = this.newEvent(record.index, packet, -1, -1);
      // A TCP packet cut inside its IP header (a snap length) is shown, as tcpdump shows it: it says why it joins no
      // connection.
      if (analysed.problem !== null && analysed.problem.kind !== 'unsupported' && isTcpPacket(analysed)) {
        annotations.push({
          code: analysed.problem.kind === 'truncated' ? Codes.TRUNCATED : Codes.INVALID,
          text: this.opts.annotationTexts === false ? '' : `${analysed.problem.detail}: no TCP header to analyse`,
        });
      }
      // A reassembled datagram whose TCP header does not decode still says it was reassembled; its fragment as
      // captured may hold a whole TCP header, which tcpdump numbers (it does not reassemble).
      if (this.displaySeq && packet !== analysed && packet.tcp !== null) this.seqView.apply(packet, ev.display);
      ev.annotations = this.eventAnnotations(annotations);
      return ev;
    }
    stats.tcpPackets++;
    if (analysed.problem !== null && analysed.problem.kind !== 'unsupported') {
      annotations.push({
        code: analysed.problem.kind === 'truncated' ? Codes.TRUNCATED : Codes.INVALID,
        text: this.opts.annotationTexts === false ? '' : analysed.problem.detail,
      });
    }
    const result = this.tracker.push(analysed, annotations);
    const conn = result.conn;
    if (result.foreign) {
      // tcpdump's numbering table is the capture's, not the shard's: a packet another shard prints may take its base
      // from this one (a first fragment, printed by shard 0 before its datagram is whole; an IPv6 routing header,
      // whose connection is keyed on the final destination, tcpdump's table on the header's own addresses).
      const ev = this.newEvent(record.index, packet, FOREIGN_CONNECTION, -1);
      if (this.displaySeq) this.seqView.apply(packet, ev.display);
      return ev;
    }
    if (conn === null) {
      // The tracker keeps no connection for a TCP header cut before its 20 fixed bytes (no trustworthy seq, ack or
      // flags; tshark gives it no tcp.stream). The packet is still shown ([|tcp]) and counted, but joins no connection:
      // asserting a connection here crashed the whole run on such a packet (found by the fuzzer, crafted-snaplen.pcap).
      const ev = this.newEvent(record.index, packet, -1, -1);
      // The completing fragment of a datagram whose reassembled header is cut is shown as captured: tcpdump numbers its
      // own TCP header (a first fragment) relative to its conversation, as it numbers the fragments before.
      if (this.displaySeq) {
        if (packet !== analysed && packet.tcp !== null) this.seqView.apply(packet, ev.display);
        else this.seqView.noteNonTcp(ev.display);
      }
      ev.annotations = this.eventAnnotations(annotations);
      return ev;
    }
    const dir = result.direction;
    const ev = this.newEvent(record.index, packet, conn.id, dir);
    ev.segment = analysed;
    if (this.displaySeq) this.seqView.apply(packet, ev.display);
    ev.relSeq = result.relSeq;
    ev.relAck = result.relAck;
    // A reported connection keeps nothing here: a straggler is analysed by the tracker and shown, nothing more.
    if (!conn.reported) {
      let pipe = conn.owner as ConnPipeline | null;
      // No owner: a new connection, or a straggler that brought a parked one back (its pipeline waits for the report).
      if (pipe === null) pipe = this.pipelines.get(conn.id) ?? this.openPipeline(conn);
      // A RST its receiver does not take is dropped whole, ACK and data (RFC 9293 §3.10.7.4, RFC 5961 §3.2): the
      // streams go on as if it had not been sent.
      const dropped = ((analysed.tcp!.flags & TcpFlag.RST) !== 0 && !result.rstCounted) || result.segmentDropped;
      if (pipe.streams !== null && !dropped) this.feedStreams(pipe, pipe.streams, analysed, dir, annotations, result.inferredFinSeq);
      for (let i = 0; i < annotations.length; i++) countCode(pipe.codeCounts, annotations[i]!.code);
      if (conn.closed && pipe.streams !== null) {
        this.closeHttp(pipe, true);
        pipe.reportAtSec = nowSec + this.reportAfterCloseSec;
        this.closing.push(pipe);
        this.park(pipe, conn);
      }
    }
    ev.annotations = this.eventAnnotations(annotations);
    return ev;
  }

  /**
   * One IP fragment of a TCP datagram: kept until its datagram is whole, which is then analysed in this frame, as
   * Wireshark's default IP reassembly does (ip.defragment, ipv6.defragment); before, a first fragment was analysed as
   * a short segment and the rest of the datagram became a gap with false lost-segment flags. Says so in annotations.
   */
  private reassemble(packet: Packet, ip: FragmentIp, annotations: Annotation[]): Packet | null {
    if (this.defrag === null) this.defrag = new IpDefragmenter();
    const done = this.defrag.add(packet, ip);
    const words = this.opts.annotationTexts !== false;
    if (done === null) {
      annotations.push({
        code: Codes.IP_FRAGMENT,
        text: words ? `IPv${ip.version} fragment (id ${ip.id}, offset ${ip.fragOffset}, ${ip.payloadLen} bytes${ip.moreFragments ? ', more follow' : ''}): `
          + (ip.version === 6 || ip.headerProtocol === 6 ? 'its TCP segment is analysed once the datagram is whole' : 'what it carries is analysed once the datagram is whole') : '',
      });
      return null;
    }
    const tcp = done.packet.tcp;
    annotations.push({
      code: Codes.IP_REASSEMBLED,
      text: words ? `IPv${ip.version} datagram (id ${ip.id}) whole from ${done.fragments} fragments (frames ${done.frames.join(', ')}${done.fragments > done.frames.length ? ', …' : ''})`
        + `${tcp === null ? '' : `: its ${tcp.segmentLen - tcp.headerLen}-byte TCP segment is analysed here`}` : '',
    });
    return done.packet;
  }

  /**
   * A fragment the capture cut short is not reassembled (fragmentWhollyCaptured): it is analysed as captured, a
   * first fragment with its TCP header but no segment length (the tracker sees the fragment flags), as in tshark.
   */
  private cutFragment(ip: FragmentIp, annotations: Annotation[]): boolean {
    if (fragmentWhollyCaptured(ip)) return false;
    annotations.push({
      code: Codes.IP_FRAGMENT,
      text: this.opts.annotationTexts === false ? '' : `IPv${ip.version} fragment (id ${ip.id}, offset ${ip.fragOffset}) cut by the capture: `
        + `not reassembled (as Wireshark)${ip.fragOffset === 0 ? '; its TCP header is analysed alone, without a segment length' : ''}`,
    });
    return true;
  }

  /** The event's annotation list: its own copy, or with reuseEvents the scratch list itself (valid until the next push). */
  private eventAnnotations(annotations: Annotation[]): readonly Annotation[] {
    if (annotations.length === 0) return NO_ANNOTATIONS;
    return this.sharedEvent === null ? annotations.slice() : annotations;
  }

  private newEvent(frame: number, packet: Packet, conn: number, dir: Direction | -1): PacketEvent {
    const ev = this.sharedEvent;
    if (ev === null) return this.freshEvent(frame, packet, conn, dir);
    ev.frame = frame;
    ev.packet = packet;
    ev.segment = packet;
    ev.conn = conn;
    ev.dir = dir;
    const display = ev.display;
    if (display !== NO_DISPLAY) {
      display.relative = false;
      display.seq = 0;
      display.ack = 0;
      display.sackBase = 0;
    }
    ev.relSeq = 0;
    ev.relAck = 0;
    ev.annotations = NO_ANNOTATIONS;
    return ev;
  }

  private freshEvent(frame: number, packet: Packet, conn: number, dir: Direction | -1): PacketEvent {
    return {
      frame,
      packet,
      segment: packet,
      conn,
      dir,
      display: this.displaySeq ? { relative: false, seq: 0, ack: 0, sackBase: 0 } : NO_DISPLAY,
      relSeq: 0,
      relAck: 0,
      annotations: NO_ANNOTATIONS,
    };
  }

  /** Reports the closed connections whose delay has run out at capture time nowSec. */
  private reportClosed(nowSec: number): void {
    const closing = this.closing;
    while (this.closingHead < closing.length) {
      const pipe = closing[this.closingHead]!;
      if (!pipe.reported) {
        if (pipe.reportAtSec > nowSec) break;
        this.report(pipe);
      }
      closing[this.closingHead++] = null;
    }
    // Drop the consumed prefix now and then, so the queue holds only what waits.
    if (this.closingHead > 1024 && this.closingHead * 2 > closing.length) {
      this.closing = closing.slice(this.closingHead);
      this.closingHead = 0;
    }
  }

  /** With shards: whether capture time went back (AnalyzerShardFacts.timeWentBack), compared as (s, ns): a step
   *  back of a few hundred ns is lost in float seconds at today's epoch. */
  private noteTimeOrder(record: CaptureRecord): void {
    if (!this.timeWentBack && (record.tsSec < this.previousSec || (record.tsSec === this.previousSec && record.tsNsec < this.previousNsec))) {
      this.timeWentBack = true;
      this.timeBackFrame = record.index;
    }
    this.previousSec = record.tsSec;
    this.previousNsec = record.tsNsec;
  }

  /** With AnalyzerOptions.shard: what a merge of the shards needs (read after finish()); null without shards. */
  shardFacts(): AnalyzerShardFacts | null {
    const facts = this.tracker.shardFacts;
    if (facts === null || this.firstFrames === null) return null;
    return {
      ...facts,
      firstFrames: this.firstFrames.slice(0, this.stats.connections),
      timeWentBack: this.timeWentBack,
      timeBackFrame: this.timeBackFrame,
    };
  }

  /**
   * With AnalyzerOptions.shard, while the capture is read: the facts so far without copies (the lists grow; the
   * first `connections` entries of firstFrames are the connections opened so far). Null without shards.
   */
  shardProgress(): { facts: ShardFacts; firstFrames: Float64Array; connections: number; timeBackFrame: number } | null {
    const facts = this.tracker.shardFacts;
    if (facts === null || this.firstFrames === null) return null;
    return { facts, firstFrames: this.firstFrames, connections: this.stats.connections, timeBackFrame: this.timeBackFrame };
  }

  /** End of input: every tracked connection is finalized. Returns the whole report. */
  finish(captureWarnings: readonly CaptureWarning[] = []): Report {
    const steps = this.finishing(captureWarnings);
    while (steps.next().done !== true) {
      // Each step reported one connection.
    }
    return {
      schemaVersion: SCHEMA_VERSION,
      stats: { ...this.stats },
      connections: this.opts.keepConnections === false ? [] : this.connections.slice().sort((a, b) => a.tcp.id - b.tcp.id),
      warnings: this.warnings.slice(),
    };
  }

  /**
   * What finish() does, one connection at a time: yields after each connection it finalizes (reported to onConnection),
   * so that a caller printing reports can wait for its reader between them instead of holding every report of the
   * connections still open at the end at once (a capture that ends with 55,000 connections open: 1,060 MB peak with
   * them held, 756 MB this way).
   * finish() afterwards returns the report without finalizing anything again; so does a second finishing().
   */
  *finishing(captureWarnings: readonly CaptureWarning[] = []): Generator<void, void, undefined> {
    if (this.finished) return;
    this.finished = true;
    for (const w of captureWarnings) this.warnings.push({ code: w.code, frame: w.frame, message: w.message });
    const tracker = this.tracker.finishing();
    while (tracker.next().done !== true) yield;
    // The tracker handed over every connection it had; a pipeline left here lost its connection some other way.
    for (const pipe of [...this.pipelines.values()].sort((a, b) => a.id - b.id)) {
      if (pipe.conn === null) continue;
      this.finalize(pipe.conn, 'capture-end');
      yield;
    }
  }

  private openPipeline(conn: Connection): ConnPipeline {
    this.stats.connections++;
    if (this.firstFrames !== null) {
      if (conn.id >= this.firstFrames.length) {
        const grown = new Float64Array(this.firstFrames.length * 2);
        grown.set(this.firstFrames);
        this.firstFrames = grown;
      }
      this.firstFrames[conn.id] = conn.firstFrame;
    }
    const words = this.opts.annotationTexts !== false;
    const http = new HttpConnection({ texts: words, handshakeSeen: !conn.midstream });
    const out = this.httpOut;
    const maxBufferedBytes = this.opts.maxBufferedBytesPerDirection;
    const sinks = [new HttpStreamSink(http, 0, out, words, conn), new HttpStreamSink(http, 1, out, words, conn)];
    const streams: [Reassembler, Reassembler] = [
      new Reassembler(sinks[0]!, { maxBufferedBytes, conflictHistorySegments: 0 }),
      new Reassembler(sinks[1]!, { maxBufferedBytes, conflictHistorySegments: 0 }),
    ];
    sinks[0]!.stream = streams[0];
    sinks[1]!.stream = streams[1];
    const pipe: ConnPipeline = {
      conn,
      id: conn.id,
      reported: false,
      streams,
      http,
      httpResult: null,
      codeCounts: [],
      byteSeq0: -1,
      byteSeq1: -1,
      heldAck0: -1,
      heldAck1: -1,
      heldFrame0: 0,
      heldFrame1: 0,
      reportAtSec: 0,
    };
    this.pipelines.set(conn.id, pipe);
    conn.owner = pipe;
    return pipe;
  }

  /** Hands the segment to its direction's reassembler and the ACK to the other; HTTP events become annotations. */
  private feedStreams(
    pipe: ConnPipeline, streams: [Reassembler, Reassembler], packet: Packet, dir: Direction, annotations: Annotation[],
    inferredFinSeq: number,
  ): void {
    const tcp = packet.tcp!;
    const rec = packet.record;
    const flags = tcp.flags;
    const out = this.httpOut;
    emptyScratch(out);
    const peer: Direction = dir === 0 ? 1 : 0;
    // An ACK held undecided is settled before anything else of this packet reaches the streams (HTTP then sees its
    // gap, if it is one, where it would have seen it at the ACK: before this packet's bytes).
    if (pipe.heldAck0 !== -1 || pipe.heldAck1 !== -1) this.settleHeld(pipe, streams, packet, dir, inferredFinSeq);
    // The peer's FIN the capture lacks, which this ACK covers: its stream ends there, before the ACK is taken.
    if (inferredFinSeq !== -1) streams[peer].inferredFin(inferredFinSeq, rec.index);
    // The ACK first: it proves what the peer's direction lost before this packet, so a gap there is reported before
    // this packet's own bytes start a new message (a request sent after a response the capture never shows).
    if ((flags & TcpFlag.ACK) !== 0) {
      const P = pipe.conn!.ends[peer];
      let take = true;
      if (tcp.ack === ((P.seenEnd + 1) >>> 0) && pipe.http !== null) {
        if (bodyByteAtSeenEnd(pipe.http, streams[peer], P, peer)) this.noteBodyByte(pipe, peer);
        else take = !this.holdAck(pipe, streams[peer], streams[dir], P, peer, tcp, rec.index);
      }
      if (take) streams[peer].acked(tcp.ack, rec.index);
    }
    const segFlags = this.segFlags;
    segFlags.syn = (flags & TcpFlag.SYN) !== 0;
    segFlags.fin = (flags & TcpFlag.FIN) !== 0;
    segFlags.rst = (flags & TcpFlag.RST) !== 0;
    const fate = streams[dir].segment(
      tcp.seq,
      tcp.payload,
      tcp.payloadLen,
      segFlags,
      rec.index,
      rec.tsSec,
      rec.tsNsec,
    );
    if (fate === 'over-limit') {
      this.stats.bufferCapGaps++;
      annotations.push({
        code: Codes.LIMIT,
        text: this.opts.annotationTexts === false ? '' : 'out-of-order buffer full for this direction: the oldest hole is reported as a gap',
      });
    }
    if ((flags & TcpFlag.RST) !== 0) {
      streams[0].finish(rec.index, 'rst');
      streams[1].finish(rec.index, 'rst');
    }
    if (out.length === 0) return;
    for (let i = 0; i < out.length; i++) {
      const e = out[i]!;
      annotations.push({ code: e.code, text: e.frame === rec.index || e.text === '' ? e.text : `${e.text} (bytes from frame ${e.frame})` });
    }
    emptyScratch(out);
  }

  /**
   * Whether the ACK of one sequence number past all that `peer` sent (feedStreams checked) is held undecided
   * (ConnPipeline.heldAck0): an ACK without SYN, FIN, RST or a SACK past it (those settle at once; data may come
   * with it: a server answers a client that half-closed after its request with data that acknowledges the FIN), the
   * peer's stream delivered to its end with no hole and no FIN. Whether HTTP is between messages or inside one, a FIN
   * there is as possible as a byte (a server that closes mid-response); only a body one byte short makes it the byte,
   * decided before (noteBodyByte). A repeat of a held ACK stays held. Out of line: rare.
   */
  private holdAck(
    pipe: ConnPipeline, stream: Reassembler, ackerStream: Reassembler, P: Endpoint, peer: Direction, tcp: TcpHeader, frame: number,
  ): boolean {
    const ack = tcp.ack;
    const heldAck = peer === 0 ? pipe.heldAck0 : pipe.heldAck1;
    if (heldAck !== -1) return heldAck === ack;
    if ((tcp.flags & (TcpFlag.SYN | TcpFlag.FIN | TcpFlag.RST)) !== 0) return false;
    // A SACK of bytes past it: the peer sent more than the capture has, so the number is a byte (a gap at once, and
    // never a FIN later).
    if (sacksPast(tcp.sackBlocks, ack)) {
      takeAsByte(pipe, peer, P.seenEnd);
      return false;
    }
    if (P.finSent || !P.seenEndKnown || P.holeFrom !== -1 || stream.isEnded) return false;
    if (stream.offsetOfSeq(P.seenEnd) !== stream.deliveredOffset) return false;
    // New data with it while the peer is inside a message head: the acker sends on as one that had the head's end, so
    // the number is a byte of it (settleHeld's rule for data after the ACK), a gap at once.
    if (sendsNewData(ackerStream, tcp) && pipe.http!.midHead(peer)) {
      takeAsByte(pipe, peer, P.seenEnd);
      return false;
    }
    if (peer === 0) {
      pipe.heldAck0 = ack;
      pipe.heldFrame0 = frame;
    } else {
      pipe.heldAck1 = ack;
      pipe.heldFrame1 = frame;
    }
    return true;
  }

  /**
   * Settles the ACKs held undecided (ConnPipeline.heldAck0) by this packet, before it reaches the streams. The held
   * number was the sender's FIN when the tracker infers that FIN now (the acker's own FIN with the same ACK), and was
   * a byte when the sender's stream goes past it (its data or FIN after it, or the acker's SACK of bytes after it); a
   * segment of the sender's that covers it brings it in, no gap; an ACK of the acker's past it makes a gap of its own
   * that takes the number in. A RST, or a FIN of the acker's that the tracker does not take it for, settles it as the
   * ACK would have been taken at once: a 1-byte gap, said here with the frame of the ACK that showed it; so does the
   * acker's next message while the sender's message head lacks the number. The rest says nothing of it and keeps it:
   * the acker's other data (a side that got the other's FIN may go on sending, RFC 9293 §3.6: an HTTP/1.0 client that
   * half-closes after its request gets the response after its FIN), keep-alives, window updates, retransmitted SYNs
   * and older data.
   */
  private settleHeld(
    pipe: ConnPipeline, streams: [Reassembler, Reassembler], packet: Packet, dir: Direction, inferredFinSeq: number,
  ): void {
    const tcp = packet.tcp!;
    const flags = tcp.flags;
    for (let d: Direction = 0; d <= 1; d = (d + 1) as Direction) {
      const heldAck = d === 0 ? pipe.heldAck0 : pipe.heldAck1;
      if (heldAck === -1) continue;
      const heldSeq = (heldAck - 1) >>> 0;
      // 'clear': settled with no gap of its own (the FIN inferred, the number brought in, or a later ACK's gap covers it).
      let settle: 'keep' | 'clear' | 'gap' = 'keep';
      let why: 'sent-past' | 'acker-on' | 'undecided' = 'undecided';
      if ((flags & TcpFlag.RST) !== 0) {
        settle = 'gap';
      } else if (d !== dir) {
        // From the acker.
        if (inferredFinSeq === heldSeq) settle = 'clear';
        else if ((flags & TcpFlag.ACK) !== 0 && seqGt(tcp.ack, heldAck)) settle = 'clear';
        else if ((flags & TcpFlag.FIN) !== 0) settle = 'gap';
        else if (sacksPast(tcp.sackBlocks, heldAck)) {
          settle = 'gap';
          why = 'sent-past';
        } else if (pipe.http !== null && pipe.http.midHead(d) && sendsNewData(streams[dir], tcp)) {
          // The acker sends on (its next request) while the sender's message head lacks that number: it had the
          // head's end, so the number was that byte (gap first, before this packet's bytes, as the ACK would have had
          // it). Elsewhere its data says nothing: a side sends on after the other's FIN, and a server answers an
          // upload it cuts short (RFC 9110 §15.5.14); keep-alives and bytes sent again say nothing either.
          settle = 'gap';
          why = 'acker-on';
        }
      } else if (tcp.payloadLen !== 0 || (flags & TcpFlag.FIN) !== 0) {
        // From the sender (its bare ACKs and SYNs say nothing of it): its FIN comes after its data.
        const segEnd = (tcp.seq + tcp.payloadLen + ((flags & TcpFlag.SYN) !== 0 ? 1 : 0) + ((flags & TcpFlag.FIN) !== 0 ? 1 : 0)) >>> 0;
        if (!seqGt(tcp.seq, heldSeq)) {
          if (seqGt(segEnd, heldSeq)) settle = 'clear';
        } else {
          settle = 'gap';
          why = 'sent-past';
        }
      }
      if (settle === 'keep') continue;
      const heldFrame = d === 0 ? pipe.heldFrame0 : pipe.heldFrame1;
      if (d === 0) pipe.heldAck0 = -1;
      else pipe.heldAck1 = -1;
      if (settle !== 'gap') continue;
      this.releaseHeld(streams[d], d, heldAck, heldFrame, packet.record.index, why);
      // A byte now: the acker's FIN with the same ACK later must not make it a FIN (a SACK showed more bytes after it).
      takeAsByte(pipe, d, heldSeq);
    }
  }

  /**
   * Gives a held ACK to its stream as the 1-byte gap it shows, in this frame: its text says which ACK showed it and
   * why it is a byte ('sent-past': the sender went on past it; 'acker-on': the acker sent on while the sender's message
   * head lacked it; 'undecided': nothing made it a FIN); 'close': no packet to say it on (closeHttp).
   */
  private releaseHeld(
    stream: Reassembler, d: Direction, heldAck: number, heldFrame: number, frame: number,
    why: 'sent-past' | 'acker-on' | 'undecided' | 'close',
  ): void {
    const out = this.httpOut;
    const from = out.length;
    stream.acked(heldAck, frame);
    if (why === 'close' || this.opts.annotationTexts === false) return;
    const side = d === 0 ? 'client' : 'server';
    for (let i = from; i < out.length; i++) {
      const e = out[i]!;
      if (e.code === Codes.GAP && e.dir === d) {
        const because = why === 'sent-past' ? `the ${side} sent on past it, so a byte, not its FIN`
          : why === 'acker-on' ? `the ${d === 0 ? 'server' : 'client'} sent on while the ${side}'s message head still lacked it, so a byte of it, not a FIN`
          : `a byte or the ${side}'s FIN until now; nothing since made it a FIN`;
        e.text += ` (acknowledged in frame ${heldFrame}: ${because})`;
      }
    }
  }

  /**
   * An ACK of one sequence number past all the peer sent (feedStreams checked) while the peer's HTTP waits for exactly
   * one more body byte: that number is the byte (mayInferFin), now and at any later ACK of it. Out of line: rare.
   */
  private noteBodyByte(pipe: ConnPipeline, peer: Direction): void {
    const P = pipe.conn!.ends[peer];
    if (P.seenEndKnown && !P.finSent) takeAsByte(pipe, peer, P.seenEnd);
  }

  /** The tracker let the connection go (TIME_WAIT over, table full, ports reused, capture end): report it now. */
  private finalize(conn: Connection, why: 'expired' | 'cap' | 'capture-end'): void {
    const pipe = this.pipelines.get(conn.id);
    if (pipe === undefined) return;
    this.pipelines.delete(conn.id);
    conn.owner = null;
    // A parked connection comes back as a new Connection: the report is of that one.
    pipe.conn = conn;
    if (why === 'cap') this.stats.evictedByCap++;
    if (pipe.streams !== null) this.closeHttp(pipe, false);
    this.report(pipe);
  }

  /**
   * Ends both streams and keeps only the HTTP result: the reassemblers and parsers are released here, at the close
   * (or the eviction), not when the report goes out. HTTP cannot change after both directions ended. Exchanges whose
   * report waits (parked) are packed meanwhile: as objects they were most of what NDJSON kept beyond the timeline
   * (PackedExchanges).
   */
  private closeHttp(pipe: ConnPipeline, reportWaits: boolean): void {
    const streams = pipe.streams!;
    const http = pipe.http!;
    const conn = pipe.conn!;
    const out = this.httpOut;
    emptyScratch(out);
    const lastFrame = conn.lastFrame;
    // An ACK still held undecided: the capture (or the connection's tracking) ended before anything told a FIN from a
    // byte. Neither is assumed: the stream ends where the capture's bytes end (no gap, no parse stopped for a byte
    // that may be a FIN), and the verdict says what the ACK left open (TcpCloseFacts.clientEndUnknownFrame).
    const endUnknownFrame0 = pipe.heldAck0 !== -1 ? pipe.heldFrame0 : 0;
    const endUnknownFrame1 = pipe.heldAck1 !== -1 ? pipe.heldFrame1 : 0;
    pipe.heldAck0 = pipe.heldAck1 = -1;
    const released = out.length;
    for (let i = 0; i < released; i++) countCode(pipe.codeCounts, out[i]!.code);
    streams[0].finish(lastFrame, 'capture-end');
    streams[1].finish(lastFrame, 'capture-end');
    // Gaps certain only now (a FIN fixed the stream's length, no ACK passed the hole: a one-sided capture) have no
    // packet to annotate, but count in the connection's record as the others do.
    for (let i = released; i < out.length; i++) if (out[i]!.code === Codes.GAP) countCode(pipe.codeCounts, Codes.GAP);
    emptyScratch(out);
    const facts = closeFacts(conn);
    // Each first FIN's ACK as an offset in the other direction's stream (reassembler numbering, as HTTP's).
    const [client, server] = conn.ends;
    facts.clientFinAckedOffset = client.finSent && client.finAck >= 0 ? streams[1].offsetOfSeq(client.finAck) : -1;
    facts.serverFinAckedOffset = server.finSent && server.finAck >= 0 ? streams[0].offsetOfSeq(server.finAck) : -1;
    facts.clientEndUnknownFrame = endUnknownFrame0;
    facts.serverEndUnknownFrame = endUnknownFrame1;
    pipe.httpResult = {
      summary: http.summary(facts),
      exchanges: this.opts.exchanges === false
        ? NO_EXCHANGES
        : reportWaits && this.opts.compactTimeWait !== false ? http.packedExchanges() : http.exchanges(),
    };
    pipe.streams = null;
    pipe.http = null;
  }

  private report(pipe: ConnPipeline): void {
    const result = pipe.httpResult!;
    // Parked: read back from the tracker as it is now (stragglers since the close included).
    const conn = pipe.conn ?? this.tracker.parkedConnection(pipe.id);
    pipe.reported = true;
    pipe.httpResult = null;
    pipe.conn = null;
    this.pipelines.delete(pipe.id);
    // Not possible (every way the tracker forgets a parked connection hands it to finalize() first), and no report is
    // better than one of another connection.
    if (conn === null) return;
    conn.reported = true;
    conn.owner = null;
    const report: ConnectionReport = {
      tcp: summarize(conn),
      http: result.summary,
      exchanges: result.exchanges instanceof PackedExchanges ? result.exchanges.unpack() : result.exchanges,
      annotationCounts: codeCountRecord(pipe.codeCounts),
    };
    if (this.opts.keepConnections !== false) this.connections.push(report);
    this.opts.onConnection?.(report);
    // Reported while still tracked (closed, waiting out TIME_WAIT): the tracker keeps only what stragglers need.
    if (conn.live) {
      if (this.opts.compactTimeWait !== false) this.tracker.retire(conn);
    } else {
      this.tracker.markReported(pipe.id);
    }
  }

  /**
   * A connection closed, its report waiting reportAfterCloseSec: the tracker packs it meanwhile (TcpTracker.retire,
   * parked), and only the pipeline's HTTP result stays here. About 2,750 connections wait at any time on the benchmark
   * capture; as objects they were 9.5 MB of the 25 MB live (heap snapshots with and without the wait).
   */
  private park(pipe: ConnPipeline, conn: Connection): void {
    if (this.opts.compactTimeWait === false || !conn.live) return;
    conn.owner = null;
    if (this.tracker.retire(conn)) pipe.conn = null;
    else conn.owner = pipe;
  }
}

/**
 * Throws a RangeError (Node's ERR_OUT_OF_RANGE convention) for a numeric option that cannot mean anything: a caller's
 * mistake, said at once, not NaN meaning "no limit" or 0 evicting every connection. Options only; never packet content.
 */
function checkOptions(opts: AnalyzerOptions): void {
  if (opts === null || typeof opts !== 'object') {
    throw Object.assign(new TypeError(`AnalyzerOptions must be an object, got ${shown(opts)}`), { code: 'ERR_INVALID_ARG_TYPE' });
  }
  // Infinity is a limit too: none (a caller that keeps every connection, or never forgets a closed one, as tshark).
  const positiveInteger = (name: keyof AnalyzerOptions, value: unknown) => {
    if (value !== undefined && (typeof value !== 'number' || !(Number.isInteger(value) || value === Infinity) || value < 1)) {
      throw Object.assign(new RangeError(`AnalyzerOptions.${name} must be a positive integer or Infinity, got ${shown(value)}`), { code: 'ERR_OUT_OF_RANGE' });
    }
  };
  const seconds = (name: keyof AnalyzerOptions, value: unknown) => {
    if (value !== undefined && (typeof value !== 'number' || Number.isNaN(value) || value < 0)) {
      throw Object.assign(new RangeError(`AnalyzerOptions.${name} must be a number of seconds, 0 or more (Infinity allowed), got ${shown(value)}`), { code: 'ERR_OUT_OF_RANGE' });
    }
  };
  positiveInteger('maxConnections', opts.maxConnections);
  positiveInteger('maxBufferedBytesPerDirection', opts.maxBufferedBytesPerDirection);
  seconds('timeWaitSec', opts.timeWaitSec);
  seconds('reportAfterCloseSec', opts.reportAfterCloseSec);
  if (opts.onConnection !== undefined && typeof opts.onConnection !== 'function') {
    throw Object.assign(new TypeError('AnalyzerOptions.onConnection must be a function'), { code: 'ERR_INVALID_ARG_TYPE' });
  }
}

/** A caller's value as an error message shows it: a string quoted ('5' is not 5), anything else as String() gives it. */
export function shown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** Annotation codes by slot (codeSlot), and slots by code: given in order of first sight, for every analyzer. */
const CODE_BY_SLOT: string[] = [];
const SLOT_BY_CODE = new Map<string, number>();

function codeSlot(code: string): number {
  let slot = SLOT_BY_CODE.get(code);
  if (slot === undefined) {
    slot = CODE_BY_SLOT.length;
    CODE_BY_SLOT.push(code);
    SLOT_BY_CODE.set(code, slot);
  }
  return slot;
}

/** Counts one annotation code into ConnPipeline.codeCounts. */
function countCode(pairs: number[], code: string): void {
  const slot = codeSlot(code);
  for (let i = 0; i < pairs.length; i += 2) {
    if (pairs[i] === slot) {
      pairs[i + 1] = pairs[i + 1]! + 1;
      return;
    }
  }
  pairs.push(slot, 1);
}

/** ConnectionReport.annotationCounts: codes in order of first occurrence, as the record was built before. */
function codeCountRecord(pairs: readonly number[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < pairs.length; i += 2) counts[CODE_BY_SLOT[pairs[i]!]!] = pairs[i + 1]!;
  return counts;
}

/**
 * Maps how the connection ended (summary.ts closeReason, and its history) onto the facts the HTTP verdict needs
 * (TCP roles). Read from the connection, not from a whole summarize(): the report makes that one later.
 */
function closeFacts(conn: Connection): TcpCloseFacts {
  const reason = closeReason(conn);
  const history = conn.history;
  // The history lists each side's letters in order of first occurrence: F is the client's first FIN, f the
  // server's. closedFirstBy cannot serve here: it names whoever stopped sending first, by FIN or by RST.
  const clientFin = history.indexOf('F');
  const serverFin = history.indexOf('f');
  let firstFinBy: 'client' | 'server' | null =
    clientFin < 0 && serverFin < 0 ? null : serverFin < 0 || (clientFin >= 0 && clientFin < serverFin) ? 'client' : 'server';
  // A FIN the capture lacks (Endpoint.finInferred) has no letter, only the frame whose ACK showed it: the other side's
  // FIN in an earlier frame came first, one in that frame or later came after it (that frame acknowledged it).
  const [client, server] = conn.ends;
  if (client.finInferred || server.finInferred) {
    const inferred = client.finInferred ? client : server;
    const other = client.finInferred ? server : client;
    const otherFirst = other.finSent && !other.finInferred && other.finFrame < inferred.finFrame;
    firstFinBy = (inferred === client) !== otherFirst ? 'client' : 'server';
  }
  return {
    firstFinBy,
    rstBy: reason === 'rst-client' ? 'client' : reason === 'rst-server' ? 'server' : null,
    simultaneous: reason === 'fin-simultaneous',
    // A half-closed connection was closed by the side that sent its FIN (the other side's close is not in the
    // capture): its verdict names that side, as a fully closed one does.
    openAtEnd: reason === 'open' || reason === 'no-answer',
    clientFinFrame: finFrameOf(conn.ends[0]),
    serverFinFrame: finFrameOf(conn.ends[1]),
    clientFinAckFrame: conn.ends[0].finAckedFrame,
    serverFinAckFrame: conn.ends[1].finAckedFrame,
    dataSeen: conn.ends[0].payloadBytes + conn.ends[1].payloadBytes > 0 || ackedData(conn.ends[0], conn.ends[1]) ||
      ackedData(conn.ends[1], conn.ends[0]),
    selfConnect: conn.selfConnect,
  };
}

/**
 * TcpCloseFacts' frame of a side's first FIN (0: none). A FIN the capture lacks is placed half a frame before the frame
 * whose ACK showed it: the other side had it before it sent that frame's data (RFC 9293 §3.10.7.4, an ACK covers what
 * its sender had received), so a response or request in that same frame came after it.
 */
function finFrameOf(E: Endpoint): number {
  if (!E.finSent) return 0;
  return E.finInferred ? E.finFrame - 0.5 : E.finFrame;
}

/** The peer's last ACK covers more of `side`'s sequence space than its SYN and FIN: `side` sent data, seen or not. */
function ackedData(side: Endpoint, peer: Endpoint): boolean {
  if (!peer.rcvNxtKnown || !side.baseSet) return false;
  return ((peer.rcvNxt - side.baseSeq) >>> 0) > 1 + (side.finSent ? 1 : 0);
}

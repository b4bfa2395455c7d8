// Per-direction TCP stream reassembly: in-order bytes go out as views, out-of-order bytes are copied and buffered,
// holes go out as explicit gaps. It must never glue data across a gap, recall delivered bytes, or deliver past the
// end, and does no sequence arithmetic of its own (mod-2^32 math comes from src/tcp/seq.ts).

import { seqAdd, seqDiff } from '../tcp/seq.js';

/** Receives one direction's byte stream, in stream-offset order, without overlaps: data and gaps tile it from 0. */
export interface StreamSink {
  /** In-order bytes; offset = stream offset of bytes[0] (0 = first byte after the SYN, or the first byte seen for a
   *  mid-stream start). frame/time of the segment that carried them. The view is only valid during the call when it
   *  came straight from a packet: copy it to keep it. */
  data(bytes: Uint8Array, offset: number, frame: number, tsSec: number, tsNsec: number): void;
  /** length bytes starting at offset are missing (lost before the capture point, not captured, or cut by snaplen):
   *  explicit, never glued. frame = the packet (or finish() call) at which the gap became certain. */
  gap(offset: number, length: number, frame: number): void;
  /** The stream ended in order (FIN reached) or finish() was called. offset = stream length. */
  end(offset: number, frame: number, reason: EndReason): void;
}

export type EndReason = 'fin' | 'rst' | 'capture-end';

/**
 * What happened to a segment's bytes.
 * - in-order: every byte was new and delivered at once, as a view of the payload.
 * - buffered: every byte was new and copied into the out-of-order buffer.
 * - partial-overlap: some bytes were new, others were trimmed (already delivered, already buffered, or before start).
 * - duplicate: no byte was new (a retransmission of delivered or buffered data).
 * - over-limit: buffering it would pass maxBufferedBytes, so the lowest hole was declared a gap (annotate 'limit').
 * - empty: no payload (pure ACK, pure FIN, SYN without data).
 * - before-start: every byte lies before stream offset 0.
 * - after-end: every byte lies at or past the FIN offset or the point where the stream ended, or it is RST data.
 */
export type SegmentFate =
  | 'in-order'
  | 'duplicate'
  | 'partial-overlap'
  | 'buffered'
  | 'over-limit'
  | 'empty'
  | 'before-start'
  | 'after-end';

export interface SegmentFlags {
  syn: boolean;
  fin: boolean;
  rst: boolean;
}

export interface ReassemblerOptions {
  /** Cap on out-of-order bytes held per direction (default 4 MiB), each piece also charged PIECE_OVERHEAD_BYTES. */
  maxBufferedBytes?: number;
  /** How many recently delivered pieces are kept (as references, not copies) to spot retransmissions whose bytes
   *  differ from what was delivered, like Zeek's tcp_max_old_segments (default 32; 0 turns the check off for
   *  delivered data). Each reference pins the buffer its view lies in until it leaves the ring or the stream ends. */
  conflictHistorySegments?: number;
}

const DEFAULT_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
const DEFAULT_CONFLICT_HISTORY_SEGMENTS = 32;
/** Charged per buffered piece against the cap, as Linux charges an skb's truesize (not only its payload) against
 *  sk_rcvbuf (tcp_try_rmem_schedule): a flood of 1-byte segments cannot pin millions of objects. */
const PIECE_OVERHEAD_BYTES = 64;
/** Compact the buffer array once this many consumed pieces sit before the head. */
const COMPACT_AFTER_PIECES = 1024;

const INSERT_ADDED = 1;
const INSERT_OVERLAPPED = 2;

/** A buffered run of stream bytes [startOffset, endOffset): our own copy, or null when known missing (snaplen cut). */
const NO_HISTORY_BYTES: (Uint8Array | null)[] = [];
const NO_HISTORY_OFFSETS = new Float64Array(0);

interface Piece {
  startOffset: number;
  endOffset: number;
  bytes: Uint8Array | null;
  frame: number;
  tsSec: number;
  tsNsec: number;
}

/**
 * One direction of one connection. Stream offsets are plain numbers (they pass 2^32 on long streams: the wrap count
 * is implicit in nextOffset, and every sequence number is placed by its signed mod-2^32 distance from nextSeq, so
 * segments must lie within 2^31 of the delivery point, as RFC 9293 §3.4 requires of any window).
 *
 * Policies (each tested in test/stream/reassembler.test.ts):
 * - In order: delivered at once as a subarray view of the payload; the fast path allocates nothing.
 * - Out of order: copied (only the new bytes) and kept sorted by offset; delivered when the hole before it fills.
 * - Overlaps: the first copy wins, delivered or buffered alike. Delivered bytes cannot be recalled, and Linux keeps the
 *   first copy too (tcp_data_queue drops a segment ending at or before rcv_nxt and reads a partial one from rcv_nxt);
 *   Zeek's reassembler likewise keeps the first block and reports differing retransmissions (rexmit_inconsistency).
 *   Overlapping bytes that differ from the kept copy are counted in conflictingBytes (suricata-verify's
 *   eve-overlap-payload-04-partial-overlap.pcap sends "GOOD", then "XXX" one byte later: the stream is "GOOD").
 * - Known-missing bytes (snaplen cut) are the one exception: real bytes for that range replace the marker while it
 *   is still buffered, since nothing was delivered yet.
 * - Gaps: a hole becomes a gap when the peer's ACK passes it (acked()), when the buffer cap forces it, or at finish().
 *   A snaplen-cut tail is a gap as soon as delivery reaches it. Adjacent gaps in one call are reported as one.
 * - Memory cap: when buffering a segment would pass maxBufferedBytes, the lowest hole is declared a gap and what
 *   becomes contiguous is delivered, until the segment fits or is itself in order (gopacket's assembler does the same
 *   when it hits MaxBufferedPagesPerConnection). Data is never refused; the segment's fate is 'over-limit'.
 * - FIN: occupies the sequence number after its data (RFC 9293 §3.4); end(…,'fin') fires when delivery (data or
 *   gaps) reaches it. The first FIN wins: later FINs at other offsets, and a FIN inside delivered data, are ignored
 *   (RFC 9293 §3.10.7.4, eighth check: a FIN in CLOSE-WAIT and later states changes nothing).
 * - After the end: bytes at or past the FIN offset, or past where finish()/RST ended the stream, are counted in
 *   afterEndBytes and droppedBytes, never delivered (RFC 9293 §3.10.7.4, seventh check: text after a FIN is ignored).
 * - RST: a segment with RST ends the direction like finish(frame,'rst'); its payload is a diagnostic, not stream data
 *   (RFC 9293 §3.5.3, RFC 1122 §4.2.2.12; Linux discards it). Its sequence number is not used to infer a gap.
 * - Start: setInitialSeq() or a SYN fixes offset 0 at ISN+1; otherwise the first data segment (or bare FIN) does.
 *   Bytes before offset 0 are dropped as 'before-start' (they belong to a stream prefix the capture cannot place).
 * - SYN with data (TCP Fast Open, RFC 7413): the data starts at seq+1.
 *
 * The sink must not call back into the reassembler.
 */
export class Reassembler {
  private readonly sink: StreamSink;
  private readonly maxBufferedBytes: number;

  private started = false;
  /** Sequence number of nextOffset; -1 until the start is known, so the fast path's equality test fails. */
  private nextSeq = -1;
  /** Stream offset of the next byte to deliver (data or gap). */
  private nextOffset = 0;
  /** Stream offset of the FIN, Infinity until one is seen. */
  private finOffset = Infinity;
  /** Bytes at or past this offset are never delivered: the FIN offset, or nextOffset once ended. */
  private endOffset = Infinity;
  /** ReStartIfAlternative's candidate start, or -1. */
  private alternativeStartSeq = -1;
  private ended = false;

  /** Sorted, non-overlapping pieces; those before `head` are consumed (a head index keeps draining O(1)). */
  private pieces: Piece[] = [];
  private head = 0;

  private readonly historyBytes: (Uint8Array | null)[];
  private readonly historyOffsets: Float64Array;
  private historyNext = 0;

  private deliveredTotal = 0;
  private bufferedNow = 0;
  private gapTotal = 0;
  private droppedTotal = 0;
  private conflictTotal = 0;
  private afterEndTotal = 0;
  private beforeStartTotal = 0;
  private limitGapTotal = 0;

  constructor(sink: StreamSink, opts?: ReassemblerOptions) {
    this.sink = sink;
    this.maxBufferedBytes = opts?.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    const historySegments = opts?.conflictHistorySegments ?? DEFAULT_CONFLICT_HISTORY_SEGMENTS;
    // Without a history (the analyzer's choice), two shared empty arrays: nothing is written to them then.
    this.historyBytes = historySegments === 0 ? NO_HISTORY_BYTES : new Array<Uint8Array | null>(historySegments).fill(null);
    this.historyOffsets = historySegments === 0 ? NO_HISTORY_OFFSETS : new Float64Array(historySegments);
  }

  /** Bytes handed to sink.data(). */
  get deliveredBytes(): number {
    return this.deliveredTotal;
  }
  /** Out-of-order bytes held right now (copies). */
  get bufferedBytes(): number {
    return this.bufferedNow;
  }
  /** Bytes reported through sink.gap(). */
  get gapBytes(): number {
    return this.gapTotal;
  }
  /** Captured bytes neither delivered nor buffered: duplicates, overlap trims, before-start, after-end, RST data. */
  get droppedBytes(): number {
    return this.droppedTotal;
  }
  /** Overlapping bytes whose value differed from the copy kept (only where that copy is still at hand). */
  get conflictingBytes(): number {
    return this.conflictTotal;
  }
  /** Captured bytes at or past the FIN / end of stream, or carried by a RST (a part of droppedBytes). */
  get afterEndBytes(): number {
    return this.afterEndTotal;
  }
  /** Captured bytes before stream offset 0 (a part of droppedBytes). */
  get beforeStartBytes(): number {
    return this.beforeStartTotal;
  }
  /** Gap bytes that the buffer cap forced (a part of gapBytes). */
  get limitGapBytes(): number {
    return this.limitGapTotal;
  }
  /** Stream offset of the next byte to be delivered (all bytes below it went out as data or gap). */
  get deliveredOffset(): number {
    return this.nextOffset;
  }
  /** True once sink.end() was called. */
  get isEnded(): boolean {
    return this.ended;
  }

  /**
   * A second SYN's ISN+1 while nothing of the stream has come (-1: none): the stream starts there instead when the peer
   * acknowledges exactly it or the first data begins there; acknowledging or sending at the first start forgets it.
   */
  private reStartIfAlternative(seq: number): void {
    const alternative = this.alternativeStartSeq;
    if (this.nextOffset !== 0 || this.head !== this.pieces.length || this.ended) {
      this.alternativeStartSeq = -1;
      return;
    }
    if (seq === alternative) {
      this.nextSeq = alternative;
      this.alternativeStartSeq = -1;
    } else if (seq === this.nextSeq) {
      this.alternativeStartSeq = -1;
    }
  }

  /** Sequence number of stream offset 0 (ISN+1) when the SYN was seen. Ignored once the start is known. */
  setInitialSeq(seq: number): void {
    if (this.started) return;
    this.started = true;
    this.nextSeq = seq >>> 0;
    this.nextOffset = 0;
  }

  /**
   * One segment of this direction. payload = captured bytes (a view; shorter than payloadLen when the snaplen cut it,
   * and the missing tail is then a gap). Returns what happened to its bytes.
   */
  segment(
    seq: number,
    payload: Uint8Array,
    payloadLen: number,
    flags: SegmentFlags,
    frame: number,
    tsSec: number,
    tsNsec: number,
  ): SegmentFate {
    // Fast path, the common case: exactly the next bytes, fully captured, nothing buffered, no flags to honour.
    if (
      seq === this.nextSeq &&
      payloadLen !== 0 &&
      payload.length === payloadLen &&
      this.head === this.pieces.length &&
      this.nextOffset + payloadLen <= this.endOffset &&
      !flags.syn &&
      !flags.fin &&
      !flags.rst
    ) {
      const offset = this.nextOffset;
      this.nextOffset = offset + payloadLen;
      this.nextSeq = seqAdd(seq, payloadLen);
      this.deliveredTotal += payloadLen;
      this.remember(payload, offset);
      this.sink.data(payload, offset, frame, tsSec, tsNsec);
      return 'in-order';
    }
    return this.segmentSlow(seq, payload, payloadLen, flags, frame, tsSec, tsNsec);
  }

  /**
   * The peer acknowledged up to ack (the caller passes only ACKs it accepted): sequence space below ack that was
   * never seen is lost for good, so it goes out as a gap, then any buffered data that became contiguous.
   */
  acked(ack: number, frame: number): void {
    if (this.alternativeStartSeq !== -1) this.reStartIfAlternative(ack);
    if (!this.started || this.ended) return;
    // The FIN's own sequence number is not a stream byte: an ACK of the FIN stops at the FIN offset.
    const ackOffset = Math.min(this.offsetOf(ack), this.endOffset);
    if (ackOffset <= this.nextOffset) return;
    this.drain(frame, ackOffset);
  }

  /**
   * The sender's FIN at seq, which the capture lacks but the peer's ACK covers (TcpPacketResult.inferredFinSeq): the
   * stream ends there, as at a FIN seen, instead of the ACK reporting its sequence number as a lost byte.
   */
  inferredFin(seq: number, frame: number): void {
    if (!this.started || this.ended) return;
    this.noteFin(this.offsetOf(seq));
    this.checkFin(frame);
  }

  /** End of capture or connection: deliver buffered data after explicit gaps (up to the FIN if seen), then end(). */
  finish(frame: number, reason: 'rst' | 'capture-end'): void {
    if (this.ended) return;
    if (this.started) {
      const pieces = this.pieces;
      const lastEnd = this.head < pieces.length ? pieces[pieces.length - 1].endOffset : this.nextOffset;
      // With a FIN seen, the sender's stream length is certain: holes before it are gaps, and the end is 'fin'.
      this.drain(frame, this.finOffset !== Infinity ? this.finOffset : lastEnd);
    }
    if (!this.ended) this.endNow(this.nextOffset, frame, reason);
  }

  private segmentSlow(
    seq: number,
    payload: Uint8Array,
    payloadLen: number,
    flags: SegmentFlags,
    frame: number,
    tsSec: number,
    tsNsec: number,
  ): SegmentFate {
    const capturedLen = Math.min(payload.length, payloadLen);
    // RFC 9293 §3.4: the SYN occupies the ISN; its data (TCP Fast Open, RFC 7413) starts at ISN+1.
    const dataSeq = flags.syn ? seqAdd(seq, 1) : seq >>> 0;
    if (flags.syn) {
      // A SYN with another ISN before any byte of the stream (a second SYN-ACK of the same connection with a new ISN):
      // which of the two the stream starts at, the peer's ACK or the first data tells (reStartIfAlternative). Kept
      // as the first, the peer's ACK of the new ISN read as thousands of bytes lost; taken at once, a stale second
      // SYN-ACK the peer ignores (it acknowledges the first) threw the stream's bytes away.
      if (this.started && !this.ended && this.nextOffset === 0 && this.head === this.pieces.length &&
        this.endOffset === Infinity && dataSeq !== this.nextSeq) this.alternativeStartSeq = dataSeq;
      this.setInitialSeq(dataSeq);
    } else if (this.alternativeStartSeq !== -1) {
      this.reStartIfAlternative(dataSeq);
    }
    if (flags.rst) {
      // RFC 9293 §3.5.3 / RFC 1122 §4.2.2.12: RST data is a diagnostic, not stream bytes (Linux discards it).
      this.droppedTotal += capturedLen;
      this.afterEndTotal += capturedLen;
      this.finish(frame, 'rst');
      return payloadLen === 0 ? 'empty' : 'after-end';
    }
    if (!this.started) {
      if (payloadLen === 0 && !flags.fin) return 'empty';
      // Mid-stream start: the first data segment (or a bare FIN) defines offset 0.
      this.setInitialSeq(dataSeq);
    }
    const startOffset = this.offsetOf(dataSeq);
    if (flags.fin) this.noteFin(startOffset + payloadLen);
    let fate: SegmentFate = 'empty';
    if (payloadLen !== 0) fate = this.place(startOffset, payload, capturedLen, payloadLen, frame, tsSec, tsNsec);
    this.checkFin(frame);
    return fate;
  }

  /** Places the bytes [startOffset, startOffset+payloadLen) of one segment, of which capturedLen were captured. */
  private place(
    startOffset: number,
    payload: Uint8Array,
    capturedLen: number,
    payloadLen: number,
    frame: number,
    tsSec: number,
    tsNsec: number,
  ): SegmentFate {
    const capEnd = startOffset + capturedLen;
    let lo = startOffset;
    let trimmed = false;
    if (lo < 0) {
      // Before offset 0: the start is fixed and cannot move back (bytes already delivered start there).
      const beforeCaptured = Math.max(0, Math.min(capEnd, 0) - lo);
      this.droppedTotal += beforeCaptured;
      this.beforeStartTotal += beforeCaptured;
      if (startOffset + payloadLen <= 0) return 'before-start';
      lo = 0;
      trimmed = true;
    }
    const wireHi = Math.min(startOffset + payloadLen, this.endOffset);
    const capHi = Math.min(capEnd, this.endOffset);
    if (capEnd > this.endOffset) {
      const afterCaptured = capEnd - Math.max(this.endOffset, lo);
      this.droppedTotal += afterCaptured;
      this.afterEndTotal += afterCaptured;
    }
    if (lo >= this.endOffset) return 'after-end';

    let added = false;
    let inOrder = false;
    let limitHit = false;
    for (;;) {
      if (lo < this.nextOffset) {
        // Already delivered (as data or gap): the first copy wins; count the bytes that differ.
        const dupHi = Math.min(this.nextOffset, wireHi);
        const dupCapHi = Math.min(dupHi, capHi);
        if (dupCapHi > lo) {
          this.droppedTotal += dupCapHi - lo;
          this.compareDelivered(lo, dupCapHi, payload, startOffset);
        }
        trimmed = true;
        lo = dupHi;
      }
      if (lo >= wireHi) break;
      const pieces = this.pieces;
      const firstOffset = this.head < pieces.length ? pieces[this.head].startOffset : Infinity;
      if (lo === this.nextOffset) {
        // In order: a view up to the first buffered piece; the rest only fills holes between buffered pieces.
        const directHi = Math.min(capHi, firstOffset);
        if (directHi > lo) {
          // The whole payload (the common case) goes as it is: a subarray would be an allocation per data segment for
          // a view equal to the payload.
          const from = lo - startOffset;
          const to = directHi - startOffset;
          this.emitData(from === 0 && to === payload.length ? payload : payload.subarray(from, to), lo, frame, tsSec, tsNsec);
          lo = directHi;
          added = true;
        }
        if (lo < wireHi) {
          const bits = this.insertSegment(lo, capHi, wireHi, payload, startOffset, frame, tsSec, tsNsec);
          if (bits & INSERT_ADDED) added = true;
          if (bits & INSERT_OVERLAPPED) trimmed = true;
        }
        this.drain(frame, this.nextOffset);
        inOrder = true;
        break;
      }
      const heldCostBytes = this.bufferedNow + (pieces.length - this.head) * PIECE_OVERHEAD_BYTES;
      const newCostBytes = Math.max(0, capHi - lo) + PIECE_OVERHEAD_BYTES;
      if (heldCostBytes + newCostBytes > this.maxBufferedBytes) {
        // Over the cap: the lowest hole (never past this segment's own start) is lost for good.
        const forceTo = Math.min(firstOffset, lo);
        this.limitGapTotal += forceTo - this.nextOffset;
        this.drain(frame, forceTo);
        limitHit = true;
        continue;
      }
      const bits = this.insertSegment(lo, capHi, wireHi, payload, startOffset, frame, tsSec, tsNsec);
      if (bits & INSERT_ADDED) added = true;
      if (bits & INSERT_OVERLAPPED) trimmed = true;
      break;
    }
    if (limitHit) return 'over-limit';
    if (!added) return 'duplicate';
    if (trimmed) return 'partial-overlap';
    return inOrder ? 'in-order' : 'buffered';
  }

  /** Buffers captured bytes [lo, capHi) and the known-missing tail [max(lo, capHi), wireHi). */
  private insertSegment(
    lo: number,
    capHi: number,
    wireHi: number,
    payload: Uint8Array,
    payloadOffset: number,
    frame: number,
    tsSec: number,
    tsNsec: number,
  ): number {
    let bits = 0;
    if (capHi > lo) bits |= this.insert(lo, capHi, payload, payloadOffset, frame, tsSec, tsNsec);
    const missingLo = Math.max(lo, capHi);
    if (wireHi > missingLo) bits |= this.insert(missingLo, wireHi, null, 0, frame, tsSec, tsNsec);
    return bits;
  }

  /**
   * Inserts [lo, hi) into the sorted buffer, filling only what no piece covers (first copy wins). Data (payload
   * given) replaces known-missing markers. O(log n) search plus one splice: appending behind a hole, the common
   * out-of-order run, costs the same as a push.
   */
  private insert(
    lo: number,
    hi: number,
    payload: Uint8Array | null,
    payloadOffset: number,
    frame: number,
    tsSec: number,
    tsNsec: number,
  ): number {
    const pieces = this.pieces;
    const first = this.firstPieceEndingAfter(lo);
    let last = first;
    let bits = 0;
    let cursor = lo;
    const out: Piece[] = [];
    let rightMarker: Piece | null = null;
    while (last < pieces.length && pieces[last].startOffset < hi) {
      const p = pieces[last];
      last++;
      if (payload !== null && p.bytes === null) {
        // Real bytes beat a still-buffered snaplen marker: keep only the marker's parts outside [lo, hi).
        if (p.startOffset < lo) out.push({ ...p, endOffset: lo });
        if (p.endOffset > hi) rightMarker = { ...p, startOffset: hi };
        continue;
      }
      if (cursor < p.startOffset) {
        out.push(this.newPiece(cursor, p.startOffset, payload, payloadOffset, frame, tsSec, tsNsec));
        bits |= INSERT_ADDED;
      }
      bits |= INSERT_OVERLAPPED;
      if (payload !== null && p.bytes !== null) {
        const overlapLo = Math.max(lo, p.startOffset);
        const overlapHi = Math.min(hi, p.endOffset);
        this.droppedTotal += overlapHi - overlapLo;
        this.conflictTotal += countDiffering(payload, payloadOffset, p.bytes, p.startOffset, overlapLo, overlapHi);
      }
      out.push(p);
      if (p.endOffset > cursor) cursor = p.endOffset;
    }
    if (cursor < hi) {
      out.push(this.newPiece(cursor, hi, payload, payloadOffset, frame, tsSec, tsNsec));
      bits |= INSERT_ADDED;
    }
    if (rightMarker !== null) out.push(rightMarker);
    if (first === pieces.length && out.length === 1) pieces.push(out[0]);
    else pieces.splice(first, last - first, ...out);
    return bits;
  }

  /** A buffered piece for [lo, hi): a copy of just those bytes, or a known-missing marker. */
  private newPiece(
    lo: number,
    hi: number,
    payload: Uint8Array | null,
    payloadOffset: number,
    frame: number,
    tsSec: number,
    tsNsec: number,
  ): Piece {
    let bytes: Uint8Array | null = null;
    if (payload !== null) {
      bytes = payload.slice(lo - payloadOffset, hi - payloadOffset);
      this.bufferedNow += hi - lo;
    }
    return { startOffset: lo, endOffset: hi, bytes, frame, tsSec, tsNsec };
  }

  /** Index of the first unconsumed piece whose end lies past offset (ends are increasing: pieces never overlap). */
  private firstPieceEndingAfter(offset: number): number {
    const pieces = this.pieces;
    let lo = this.head;
    let hi = pieces.length;
    if (hi > lo && pieces[hi - 1].endOffset <= offset) return hi;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pieces[mid].endOffset > offset) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /**
   * Delivers buffered pieces that are contiguous with nextOffset; holes below forceTo become gaps on the way.
   * Adjacent holes and markers go out as one gap; a gap is always flushed before the data after it.
   */
  private drain(frame: number, forceTo: number): void {
    const pieces = this.pieces;
    let gapOffset = 0;
    let gapLen = 0;
    for (;;) {
      if (this.head < pieces.length) {
        const p = pieces[this.head];
        if (p.startOffset > this.nextOffset) {
          if (this.nextOffset >= forceTo) break;
          const holeLen = Math.min(p.startOffset, forceTo) - this.nextOffset;
          if (gapLen === 0) gapOffset = this.nextOffset;
          gapLen += holeLen;
          this.skip(holeLen);
          continue;
        }
        this.head++;
        const len = p.endOffset - p.startOffset;
        if (p.bytes === null) {
          if (gapLen === 0) gapOffset = this.nextOffset;
          gapLen += len;
          this.skip(len);
          continue;
        }
        if (gapLen !== 0) {
          this.sink.gap(gapOffset, gapLen, frame);
          gapLen = 0;
        }
        this.bufferedNow -= len;
        this.emitData(p.bytes, p.startOffset, p.frame, p.tsSec, p.tsNsec);
        continue;
      }
      if (this.nextOffset < forceTo) {
        if (gapLen === 0) gapOffset = this.nextOffset;
        gapLen += forceTo - this.nextOffset;
        this.skip(forceTo - this.nextOffset);
      }
      break;
    }
    if (gapLen !== 0) this.sink.gap(gapOffset, gapLen, frame);
    if (this.head === pieces.length) {
      pieces.length = 0;
      this.head = 0;
    } else if (this.head > COMPACT_AFTER_PIECES && this.head * 2 > pieces.length) {
      pieces.splice(0, this.head);
      this.head = 0;
    }
    this.checkFin(frame);
  }

  /** Records the first FIN; buffered bytes past it are dropped now, so delivery stops exactly there. */
  private noteFin(finOffset: number): void {
    if (this.finOffset !== Infinity || this.ended || finOffset < this.nextOffset) return;
    this.finOffset = finOffset;
    this.endOffset = finOffset;
    const pieces = this.pieces;
    while (pieces.length > this.head && pieces[pieces.length - 1].endOffset > finOffset) {
      const p = pieces[pieces.length - 1];
      const cutLo = Math.max(p.startOffset, finOffset);
      if (p.bytes !== null) {
        const cutLen = p.endOffset - cutLo;
        this.bufferedNow -= cutLen;
        this.droppedTotal += cutLen;
        this.afterEndTotal += cutLen;
      }
      if (p.startOffset >= finOffset) {
        pieces.pop();
        continue;
      }
      p.endOffset = finOffset;
      if (p.bytes !== null) p.bytes = p.bytes.subarray(0, finOffset - p.startOffset);
      break;
    }
  }

  private checkFin(frame: number): void {
    if (!this.ended && this.nextOffset >= this.finOffset) this.endNow(this.finOffset, frame, 'fin');
  }

  private endNow(offset: number, frame: number, reason: EndReason): void {
    this.ended = true;
    this.endOffset = this.nextOffset;
    // Nothing can be delivered any more: let go of buffered copies and of the packet views kept for comparison.
    this.pieces = [];
    this.head = 0;
    this.bufferedNow = 0;
    this.historyBytes.fill(null);
    this.sink.end(offset, frame, reason);
  }

  private emitData(bytes: Uint8Array, offset: number, frame: number, tsSec: number, tsNsec: number): void {
    this.nextOffset = offset + bytes.length;
    this.nextSeq = seqAdd(this.nextSeq, bytes.length);
    this.deliveredTotal += bytes.length;
    this.remember(bytes, offset);
    this.sink.data(bytes, offset, frame, tsSec, tsNsec);
  }

  /** Moves the delivery point past lengthBytes that go out as a gap (the caller reports it). */
  private skip(lengthBytes: number): void {
    this.nextOffset += lengthBytes;
    this.nextSeq = seqAdd(this.nextSeq, lengthBytes);
    this.gapTotal += lengthBytes;
  }

  /**
   * The sequence number of stream offset `offset`, by its distance from the delivery point (meaningful once the
   * stream has started; a sink may ask while it is called, e.g. to number a gap as the TCP layer numbers it).
   */
  seqAt(offset: number): number {
    return seqAdd(this.nextSeq, offset - this.nextOffset);
  }

  /** Stream offset of a sequence number (an ACK's, say), or -1 before the stream's start is known. */
  offsetOfSeq(seq: number): number {
    return this.started ? this.offsetOf(seq) : -1;
  }

  /** Stream offset of a sequence number, by its signed distance from the delivery point (handles the 2^32 wrap). */
  private offsetOf(seq: number): number {
    return this.nextOffset + seqDiff(seq, this.nextSeq);
  }

  /** Keeps a reference (not a copy) to a delivered piece in a fixed ring, to compare later retransmissions with. */
  private remember(bytes: Uint8Array, offset: number): void {
    const historyBytes = this.historyBytes;
    if (historyBytes.length === 0) return;
    const slot = this.historyNext;
    historyBytes[slot] = bytes;
    this.historyOffsets[slot] = offset;
    this.historyNext = slot + 1 === historyBytes.length ? 0 : slot + 1;
  }

  /** Counts bytes of [lo, hi) that differ from what was delivered there, where the ring still holds it. */
  private compareDelivered(lo: number, hi: number, payload: Uint8Array, payloadOffset: number): void {
    const historyBytes = this.historyBytes;
    for (let slot = 0; slot < historyBytes.length; slot++) {
      const kept = historyBytes[slot];
      if (kept === null) continue;
      const keptOffset = this.historyOffsets[slot];
      const overlapLo = Math.max(lo, keptOffset);
      const overlapHi = Math.min(hi, keptOffset + kept.length);
      if (overlapHi > overlapLo) {
        this.conflictTotal += countDiffering(payload, payloadOffset, kept, keptOffset, overlapLo, overlapHi);
      }
    }
  }
}

/** Bytes in stream range [lo, hi) where a (a[0] at offset aOffset) and b (b[0] at bOffset) differ. */
function countDiffering(
  a: Uint8Array,
  aOffset: number,
  b: Uint8Array,
  bOffset: number,
  lo: number,
  hi: number,
): number {
  let differing = 0;
  const aShift = lo - aOffset;
  const bShift = lo - bOffset;
  for (let i = 0; i < hi - lo; i++) if (a[aShift + i] !== b[bShift + i]) differing++;
  return differing;
}

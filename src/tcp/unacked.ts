// Segments one direction has sent and the other has not yet acknowledged: a FIFO ring used for ACK RTT samples,
// the retransmission's reference frame, and packet-tcp.c's segment_count cap. Amortized O(1); no per-packet allocation.

import { seqGt } from './seq.js';

/**
 * packet-tcp.h TCP_MAX_UNACKED_SEGMENTS: Wireshark stops recording segments (and, as a side effect, stops adding the
 * SYN/FIN sequence byte to nextseq) once this many are outstanding. We keep the same cap so the flags agree.
 */
export const MAX_UNACKED_SEGMENTS = 10000;

const STRIDE = 3; // nextSeq, frame (negative when the segment was a retransmission), timeNs
const INITIAL_CAPACITY = 16;

/** Result of {@link UnackedQueue.ack}: a round-trip sample when the ACK ended exactly one unambiguous segment. */
export interface AckSample {
  /** ns from the segment to this ACK, or -1 when the ACK gave no sample (nothing ended there, or Karn's rule). */
  rttNs: number;
  /** Frame of the segment the sample measures (0 when none). */
  frame: number;
}

export class UnackedQueue {
  private ring: Float64Array | null = null;
  /** Slots in the ring (ring.length / STRIDE), kept as an integer so that wrapping needs no division. */
  private capacity = 0;
  private head = 0;
  /** Segments recorded and not yet acknowledged (Wireshark's segment_count, see the class comment on ordering). */
  count = 0;

  /**
   * Records a segment that ends at nextSeq. Ordering caveat: Wireshark removes every listed segment an ACK covers;
   * we pop from the oldest end only, so a segment sent after a larger one waits until the larger one is covered.
   * The count can only run high when segments arrive far out of order, which never approaches the cap in practice.
   */
  push(nextSeq: number, frame: number, timeNs: number, retransmission: boolean): void {
    const ring = this.count === this.capacity ? this.grow() : this.ring!;
    let index = this.head + this.count;
    if (index >= this.capacity) index -= this.capacity;
    const slot = index * STRIDE;
    ring[slot] = nextSeq;
    ring[slot + 1] = retransmission ? -frame : frame;
    ring[slot + 2] = timeNs;
    this.count++;
  }

  /**
   * Removes the segments an acknowledgment number covers (packet-tcp.c: a segment goes once ack >= its nextseq).
   * Writes an RTT sample into `out` when a removed segment ends exactly at `ack` and none of the removed segments was
   * a retransmission (Karn's rule, RFC 6298 §3: a retransmitted segment's ACK is ambiguous).
   */
  ack(ack: number, nowNs: number, out: AckSample): void {
    out.rttNs = -1;
    out.frame = 0;
    const ring = this.ring;
    if (ring === null || this.count === 0) return;
    let ambiguous = false;
    let matchTimeNs = -1;
    let matchFrame = 0;
    while (this.count > 0) {
      const slot = this.head * STRIDE;
      const nextSeq = ring[slot];
      if (seqGt(nextSeq, ack)) break;
      const frame = ring[slot + 1];
      if (frame < 0) ambiguous = true;
      if (nextSeq === ack) { matchTimeNs = ring[slot + 2]; matchFrame = frame < 0 ? -frame : frame; }
      if (++this.head === this.capacity) this.head = 0;
      this.count--;
    }
    if (matchFrame !== 0 && !ambiguous && nowNs >= matchTimeNs) {
      out.rttNs = nowNs - matchTimeNs;
      out.frame = matchFrame;
    }
  }

  /** Frame of the oldest unacknowledged segment, or 0. */
  oldestFrame(): number {
    if (this.ring === null || this.count === 0) return 0;
    const f = this.ring[this.head * STRIDE + 1];
    return f < 0 ? -f : f;
  }

  /** Capture time (ns) of the oldest unacknowledged segment, or NaN. */
  oldestTimeNs(): number {
    if (this.ring === null || this.count === 0) return NaN;
    return this.ring[this.head * STRIDE + 2];
  }

  /** Frees the ring when nothing is outstanding (a closed connection waiting out TIME_WAIT); push regrows it. */
  release(): void {
    if (this.count !== 0) return;
    this.ring = null;
    this.capacity = 0;
    this.head = 0;
  }

  private grow(): Float64Array {
    const cap = this.capacity;
    const nextCap = cap === 0 ? INITIAL_CAPACITY : cap * 2;
    const next = new Float64Array(nextCap * STRIDE);
    const old = this.ring;
    if (old !== null) {
      for (let i = 0; i < this.count; i++) {
        let index = this.head + i;
        if (index >= cap) index -= cap;
        const from = index * STRIDE;
        next[i * STRIDE] = old[from];
        next[i * STRIDE + 1] = old[from + 1];
        next[i * STRIDE + 2] = old[from + 2];
      }
    }
    this.ring = next;
    this.capacity = nextCap;
    this.head = 0;
    return next;
  }
}

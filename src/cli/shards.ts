// --jobs: what the threads of a sharded --summary say to each other, and the check that their merge equals one pass.
// Pure (no threads, no I/O): run-cli.ts runs the shards, main.ts and shard-worker.ts carry the messages.

import type { AnalyzerShardFacts } from '../analyze.js';
import type { ReportStats } from '../report.js';
import type { PosixTz } from '../render/posix-tz.js';
import { SHARD_ID_PLACEHOLDER } from '../tcp/tracker.js';

/** What a worker thread is asked to do: the command line it was given, and which shard of how many is its own. */
export interface ShardRequest {
  argv: string[];
  index: number;
  count: number;
  /** The main thread's colour decision (a worker has no terminal to look at). */
  colorOn: boolean;
  /** The main thread's local-time rule (render/timestamp.ts setLocalTimeRule), decided from its TZ. */
  localTime: PosixTz | null;
}

/** What a shard sends while it runs. */
export type ShardMessage = ShardRowsMessage | ShardLinesMessage;

/** A batch of a shard's rows: the shard's own connection ids, row kinds (summary-rows.ts) and stored texts. */
export interface ShardRowsMessage {
  type: 'rows';
  ids: number[];
  kinds: number[];
  texts: string[];
}

/** A shard's last message. */
export interface ShardDone {
  type: 'done';
  /** Column widths of its rows' cells. */
  widths: number[];
  stats: ReportStats;
  facts: AnalyzerShardFacts;
  /** The capture's warnings (every shard reads the whole capture) and whether it is damaged partway. */
  warnings: string[];
  damaged: boolean;
}

/** A shard running elsewhere: its last message, and ways to stop it early (Ctrl-C) or at once (an error). */
export interface ShardRunner {
  done: Promise<ShardDone>;
  /** Stop reading and finish with what was read (as the main thread does on Ctrl-C). */
  abort(): void;
  /** Tells a timeline shard how far the main thread has printed (it waits when far ahead). */
  printed?(upTo: number): void;
  /** End the thread now; its result is no longer wanted. */
  stop(): void;
}

/**
 * Why the shards' merge could differ from one pass over the capture, or null when it cannot. Capture time must not
 * go back (AnalyzerShardFacts.timeWentBack). Two things cross connections (TcpTracker's ShardFacts): the cap on
 * tracked connections (exact since TIME_WAIT ends exactly: RetiredConnections.expire), and the server ports that decide the roles
 * of a connection whose handshake was not captured. Each shard decided those roles counting every SYN of the other
 * shards as marking its port; one pass marks a port only with the SYN (or SYN-ACK) that opens a connection. Every
 * such decision is checked against the ports the shards really marked, and by which packet.
 */
export function shardsDisagree(facts: readonly AnalyzerShardFacts[]): string | null {
  if (facts.some((f) => f.timeWentBack)) return 'the capture\'s timestamps go back in time, which orders reports differently per thread';
  if (facts.some((f) => f.capActions > 0)) return 'a thread filled its share of the connection table (--max-connections)';
  const markedAt = new Float64Array(65536);
  for (const f of facts) {
    const frames = f.serverPortFrames;
    for (let port = 0; port < 65536; port++) {
      const at = frames[port]!;
      if (at !== 0 && (markedAt[port] === 0 || at < markedAt[port]!)) markedAt[port] = at;
    }
  }
  const known = (port: number, frame: number) => markedAt[port] !== 0 && markedAt[port]! < frame;
  for (const f of facts) {
    for (let i = 0; i < f.roleFrames.length; i++) {
      const frame = f.roleFrames[i]!;
      const src = Math.floor(f.rolePorts[i]! / 65536);
      const dst = f.rolePorts[i]! % 65536;
      const exact = (known(src, frame) ? 1 : 0) | (known(dst, frame) ? 2 : 0);
      if (roleRuleOf(exact) !== roleRuleOf(f.roleKnown[i]!)) return `the roles of the connection opened by packet ${frame} depend on another thread's handshakes`;
    }
  }
  return null;
}

/** create()'s rule 2 reads only whether exactly one of the two ports is known, and which (else rules 3 and 4). */
function roleRuleOf(knownBits: number): number {
  return knownBits === 1 || knownBits === 2 ? knownBits : 0;
}

/** The whole capture's stats from the main thread's (which counted every packet) and each shard's connections. */
export function mergeStats(own: ReportStats, others: readonly ReportStats[]): ReportStats {
  const stats = { ...own };
  for (const s of others) {
    stats.connections += s.connections;
    stats.evictedByCap += s.evictedByCap;
    stats.bufferCapGaps += s.bufferCapGaps;
  }
  return stats;
}

/**
 * A batch of a timeline shard's output and facts, sent after each chunk of input. Every field but `upTo` lists only
 * what is new since the shard's previous batch; packet indexes ascend within each list.
 */
export interface ShardLinesMessage {
  type: 'lines';
  /** The shard has analysed every record up to this packet index. */
  upTo: number;
  /** Packets the shard printed (its connections', and shard 0's packets of no connection), where each one's lines
   *  end in `bytes`, and which of them contain SHARD_ID_PLACEHOLDER. */
  frames: number[];
  ends: number[];
  bytes: Uint8Array;
  placeholders: number[];
  /** Packets that opened a connection of this shard. */
  created: number[];
  /** Server-port marks and mid-stream role decisions (TcpTracker's ShardFacts). */
  markPorts: number[];
  markFrames: number[];
  roleFrames: number[];
  rolePorts: number[];
  roleKnown: number[];
  /** The first packet at which this shard may differ from one pass (its cap acted, time went back), or 0. */
  hazardFrame: number;
  hazardWhy: string;
}

/** Where a timeline merge must stop: from this packet on, one pass has to print the timeline. */
export interface Hazard {
  frame: number;
  why: string;
}

interface ShardStream {
  upTo: number;
  batches: ShardLinesMessage[];
  /** Next frame of batches[0] to print. */
  next: number;
  created: number[];
  createdNext: number;
  roleFrames: number[];
  rolePorts: number[];
  roleKnown: number[];
  roleNext: number;
  hazard: Hazard | null;
}

/**
 * The timeline of --jobs: the shards' batches merged in packet order, printed as soon as every shard has analysed
 * that far. Before each packet is printed it checks what could make the shards differ from one pass up to that
 * packet (shardsDisagree's conditions, in stream form); at the first such packet it stops and reports it, and
 * everything printed before it is what one pass prints. Pure: output goes through the two callbacks.
 */
export class TimelineMerge {
  private readonly streams: ShardStream[];
  /** Per port, the first packet at which any shard marked it as a server port (0: not yet). */
  private readonly markedAt = new Float64Array(65536);
  /** Connections opened before the packet being printed, over all shards (ids are given in that order). */
  private openedBefore = 0;
  private stopped: Hazard | null = null;
  private known: Hazard | null = null;
  /** Every packet up to this index has been printed (or had nothing to print). */
  emittedUpTo = 0;

  constructor(
    count: number,
    private readonly writeBytes: (bytes: Uint8Array) => void,
    private readonly writeText: (text: string) => void,
  ) {
    this.streams = Array.from({ length: count }, () => ({
      upTo: 0, batches: [], next: 0, created: [], createdNext: 0, roleFrames: [], rolePorts: [], roleKnown: [], roleNext: 0,
      hazard: null,
    }));
  }

  /** Takes a shard's batch and prints what can be printed; returns the hazard once one is met (then nothing more). */
  add(shard: number, m: ShardLinesMessage): Hazard | null {
    if (this.stopped !== null) return this.stopped;
    const s = this.streams[shard]!;
    s.upTo = m.upTo;
    if (m.frames.length > 0) s.batches.push(m);
    for (const f of m.created) s.created.push(f);
    for (let i = 0; i < m.markPorts.length; i++) {
      const port = m.markPorts[i]!;
      const at = m.markFrames[i]!;
      if (this.markedAt[port] === 0 || at < this.markedAt[port]!) this.markedAt[port] = at;
    }
    for (let i = 0; i < m.roleFrames.length; i++) {
      s.roleFrames.push(m.roleFrames[i]!);
      s.rolePorts.push(m.rolePorts[i]!);
      s.roleKnown.push(m.roleKnown[i]!);
    }
    if (m.hazardFrame !== 0 && s.hazard === null) s.hazard = { frame: m.hazardFrame, why: m.hazardWhy };
    return this.drain();
  }

  private drain(): Hazard | null {
    let limit = Infinity;
    for (const s of this.streams) limit = Math.min(limit, s.upTo);
    let hazard: Hazard | null = null;
    for (const s of this.streams) {
      if (s.hazard !== null && (hazard === null || s.hazard.frame < hazard.frame)) hazard = s.hazard;
      // A role decided at frame f is checked once every shard is past f - 1 (every mark before it is known).
      while (s.roleNext < s.roleFrames.length && s.roleFrames[s.roleNext]! <= limit + 1) {
        const i = s.roleNext++;
        const frame = s.roleFrames[i]!;
        const src = Math.floor(s.rolePorts[i]! / 65536);
        const dst = s.rolePorts[i]! % 65536;
        const known = (port: number) => this.markedAt[port] !== 0 && this.markedAt[port]! < frame;
        const exact = (known(src) ? 1 : 0) | (known(dst) ? 2 : 0);
        if (roleRuleOf(exact) !== roleRuleOf(s.roleKnown[i]!) && (hazard === null || frame < hazard.frame)) {
          hazard = { frame, why: `the roles of the connection opened by packet ${frame} depend on another thread's handshakes` };
        }
      }
    }
    const stop = hazard === null ? limit : Math.min(limit, hazard.frame - 1);
    for (;;) {
      let best: ShardStream | null = null;
      let bestFrame = Infinity;
      for (const s of this.streams) {
        if (s.batches.length === 0) continue;
        const f = s.batches[0]!.frames[s.next]!;
        if (f < bestFrame) {
          bestFrame = f;
          best = s;
        }
      }
      if (best === null || bestFrame > stop) break;
      this.print(best, bestFrame);
    }
    if (stop > this.emittedUpTo) this.emittedUpTo = stop;
    this.known = hazard;
    // Everything before the hazard is printed once every shard got that far: only then is it time to stop.
    if (hazard !== null && this.emittedUpTo >= hazard.frame - 1) this.stopped = hazard;
    return this.stopped;
  }

  /** The earliest hazard known so far, printed up to or not (a run that ends early may not get that far). */
  get hazard(): Hazard | null {
    return this.stopped ?? this.known;
  }

  private print(s: ShardStream, frame: number): void {
    const m = s.batches[0]!;
    const i = s.next;
    const start = i === 0 ? 0 : m.ends[i - 1]!;
    const bytes = m.bytes.subarray(start, m.ends[i]!);
    if (m.placeholders.length > 0 && m.placeholders.includes(frame)) {
      for (const t of this.streams) {
        while (t.createdNext < t.created.length && t.created[t.createdNext]! < frame) {
          t.createdNext++;
          this.openedBefore++;
        }
      }
      this.writeText(new TextDecoder().decode(bytes).replaceAll(SHARD_ID_PLACEHOLDER, String(this.openedBefore)));
    } else {
      this.writeBytes(bytes);
    }
    if (++s.next === m.frames.length) {
      s.batches.shift();
      s.next = 0;
    }
  }
}

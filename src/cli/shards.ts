// --jobs: what the threads of a sharded --summary say to each other, and the check that their merge equals one pass.
// Pure (no threads, no I/O): run-cli.ts runs the shards, main.ts and shard-worker.ts carry the messages.

import type { AnalyzerShardFacts } from '../analyze.js';
import type { ReportStats } from '../report.js';

/** What a worker thread is asked to do: the command line it was given, and which shard of how many is its own. */
export interface ShardRequest {
  argv: string[];
  index: number;
  count: number;
  /** The main thread's colour decision (a worker has no terminal to look at). */
  colorOn: boolean;
}

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
}

/** A shard running elsewhere: its last message, and ways to stop it early (Ctrl-C) or at once (an error). */
export interface ShardRunner {
  done: Promise<ShardDone>;
  /** Stop reading and finish with what was read (as the main thread does on Ctrl-C). */
  abort(): void;
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

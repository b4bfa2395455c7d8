// Types of check.mjs for the TypeScript tests; must stay in step with it (no logic here).

export interface CliLikeIo {
  stdout: { write(s: string): void; isTTY?: boolean };
  stderr: { write(s: string): void; isTTY?: boolean };
  stdin: AsyncIterable<Uint8Array>;
  env: Record<string, string | undefined>;
  readTextFile(path: string): Promise<string>;
}
export type RunCli = (argv: readonly string[], io: CliLikeIo) => Promise<number>;

export interface Run {
  argv: string[];
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
  cpuMs: number;
  inputBytes: number;
  threw: unknown;
}
export interface Failure {
  kind: 'crash' | 'exit' | 'stack' | 'control' | 'slow' | 'hang' | 'memory' | 'json' | 'stream' | 'intact' | 'harness';
  detail: string;
  argv?: string;
}
export interface Baseline {
  blocks: Map<number, string>;
  ndjson: Map<number, string>;
}
export interface CheckOptions {
  extra?: number | null;
  chunkSeed?: number | null;
  baseline?: Baseline | null;
  intactBefore?: number;
  slowMs?: number;
}
export declare const BASE_ARGV: string[];
export declare const NDJSON_ARGV: string[];
export declare const JSON_ARGV: string[];
export declare const EXTRA_ARGVS: string[][];
export declare function runOnce(runCli: RunCli, argv: readonly string[], bytes: Uint8Array, chunkSizes?: number[] | null): Promise<Run>;
export declare function packetBlocks(stdout: string): Map<number, string>;
export declare function ndjsonPackets(stdout: string): Map<number, string>;
export declare function baselineOf(baseRun: Run, ndjsonRun: Run): Baseline;
export declare function checkInput(runCli: RunCli, bytes: Uint8Array, options?: CheckOptions): Promise<{ failures: Failure[]; runs: Run[]; baseRun: Run; ndjsonRun: Run }>;
export declare function signature(failure: Failure): string;
export declare function checkMerge(runCli: RunCli, paths: readonly string[], slowMs?: number, inputBytes?: number): Promise<{ failures: Failure[]; runs: Run[] }>;
export declare function runFailures(run: Run, slowMs: number): Failure[];

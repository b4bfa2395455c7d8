// Types of mutators.mjs for the TypeScript tests; must stay in step with it (no logic here).

export declare class Rng {
  constructor(seed: number);
  u32(): number;
  int(n: number): number;
  range(lo: number, hi: number): number;
  chance(p: number): boolean;
  pick<T>(list: readonly T[]): T;
  bytes(n: number): Uint8Array;
}
export declare function mutantRng(seed: number, index: number): Rng;

export interface SeedCapture {
  name: string;
  bytes: Uint8Array;
}
export interface Mutant {
  seedName: string;
  seedBytes: Uint8Array;
  bytes: Uint8Array;
  mutators: string[];
  notes: string[];
}
export declare const MUTATORS: Record<string, { weight: number; fn: (rng: Rng, bytes: Uint8Array, cap: unknown) => { bytes: Uint8Array; note: string } | null }>;
export declare function makeMutant(corpus: readonly SeedCapture[], seed: number, index: number, only?: string | null, skip?: readonly string[]): Mutant;
export { parseCapture, PCAP_HEADER_LEN } from './capture-model.mjs';

// Types of corpus.mjs for the TypeScript tests; must stay in step with it (no logic here).

export declare const PROJECT_ROOT: string;
export declare const MAX_SEED_BYTES: number;
export declare function trimSeed(bytes: Uint8Array, maxBytes?: number): Uint8Array;
export declare function loadCorpus(which?: 'all' | 'fixtures', maxBytes?: number): { name: string; bytes: Uint8Array; fullBytes: number }[];

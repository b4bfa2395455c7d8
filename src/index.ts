// Public API of the tcptrace package: re-exports only, no logic here.
export * from './types.js';
export type * from './decode/packet.js';

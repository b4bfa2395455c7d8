import { describe, expect, it } from 'vitest';
import { Codes, TcpFlag } from '../src/types.js';

describe('public vocabulary', () => {
  it('keeps the Wireshark-named analysis codes stable', () => {
    expect(Codes.DUP_ACK).toBe('tcp.dup-ack');
    expect(Codes.RETRANSMISSION).toBe('tcp.retransmission');
    expect(TcpFlag.SYN | TcpFlag.ACK).toBe(0x12);
  });
});

// HttpConnection.betweenMessages: the evidence TcpTracker's FIN inference takes at a bare ACK (Analyzer's finExpected).
// True only after a whole message with nothing of the next seen, in sync; every other place says false.

import { describe, expect, test } from 'vitest';
import { C, S, gap, head, run, stillOpen, tx, type Step } from './helpers.js';

const REQUEST = head('GET / HTTP/1.1', 'Host: x');
const RESPONSE = head('HTTP/1.1 200 OK', 'Content-Length: 2') + 'hi';

function between(steps: Step[]): [boolean, boolean] {
  const { conn } = run(steps, stillOpen);
  return [conn.betweenMessages(C), conn.betweenMessages(S)];
}

describe('HttpConnection.betweenMessages', () => {
  test('false before any message, true after whole ones', () => {
    expect(between([])).toEqual([false, false]);
    expect(between([tx(C, REQUEST)])).toEqual([true, false]);
    expect(between([tx(C, REQUEST), tx(S, RESPONSE)])).toEqual([true, true]);
  });

  test('false inside a message: its start line, its header fields, its body', () => {
    expect(between([tx(C, 'GET / HT')])[0]).toBe(false);
    expect(between([tx(C, 'GET / HTTP/1.1\r\nHost')])[0]).toBe(false);
    expect(between([tx(C, REQUEST), tx(S, RESPONSE.slice(0, -1))])[1]).toBe(false);
    // A body delimited by the close: the FIN is its end, not what follows a whole message.
    expect(between([tx(C, REQUEST), tx(S, head('HTTP/1.1 200 OK', 'Connection: close') + 'abc')])[1]).toBe(false);
  });

  test('false once the next message has begun, or while out of sync after lost bytes', () => {
    expect(between([tx(C, REQUEST + 'G')])[0]).toBe(false);
    expect(between([tx(C, REQUEST), gap(C, 5)])[0]).toBe(false);
  });

  test('false for a direction that is not HTTP', () => {
    expect(between([tx(C, '\x16\x03\x01\x00\x05hello')])[0]).toBe(false);
  });
});

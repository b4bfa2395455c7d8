// The byte-level fast paths of the start-line parses and the latin1 string cache agree with the general code on any
// input: generated lines over an alphabet of the bytes that decide (spaces, tabs, CR, digits, NBSP, version pieces).

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  internLatin1, latin1, parseRequestLine, parseRequestLineGeneral, parseStatusLine, parseStatusLineGeneral,
} from '../../src/http/syntax.js';
import { bytes } from './helpers.js';

const PIECES = ['GET', 'HEAD', 'POST', 'X-Y', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.10', 'HTTP/', '/', '/a?b=c',
  '200', '404', '2000', '20', ' ', '  ', '\t', '\r', 'OK', 'Not Found', '\xa0', '\x85', '\x7f', '\x0b', '1', '.', '\xff',
  'é', 'RTSP/1.0'];
const line = fc.array(fc.constantFrom(...PIECES), { maxLength: 9 }).map((parts) => parts.join(''));

describe('start-line fast paths', () => {
  it('parseRequestLine equals the general parse on any line', () => {
    fc.assert(fc.property(line, (s) => {
      const b = bytes(`xx${s}yy`);
      expect(parseRequestLine(b, 2, 2 + s.length)).toEqual(parseRequestLineGeneral(b, 2, 2 + s.length));
    }), { numRuns: 5000, seed: 11 });
  });

  it('parseStatusLine equals the general parse on any line', () => {
    fc.assert(fc.property(line, (s) => {
      const b = bytes(`xx${s}yy`);
      expect(parseStatusLine(b, 2, 2 + s.length)).toEqual(parseStatusLineGeneral(b, 2, 2 + s.length));
    }), { numRuns: 5000, seed: 12 });
  });

  it('the common lines take the fast path and read as expected', () => {
    expect(parseRequestLine(bytes('GET /index.html HTTP/1.1'), 0, 24)).toEqual({
      method: 'GET', target: '/index.html', version: 'HTTP/1.1', http09: false, malformed: false,
    });
    expect(parseStatusLine(bytes('HTTP/1.0 404 Not Found'), 0, 22)).toEqual({ version: 'HTTP/1.0', status: 404, reason: 'Not Found' });
    expect(parseStatusLine(bytes('HTTP/1.1 204'), 0, 12)).toEqual({ version: 'HTTP/1.1', status: 204, reason: '' });
    // Trailing NBSP is trimmed by the general rule (String.prototype.trim), which the fast path leaves to it.
    expect(parseStatusLine(bytes('HTTP/1.1 200 OK\xa0'), 0, 16)).toEqual({ version: 'HTTP/1.1', status: 200, reason: 'OK' });
  });
});

describe('internLatin1', () => {
  it('returns the same text as latin1, whatever was cached before', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 80 }), { minLength: 1, maxLength: 40 }), (arrays) => {
      for (const a of arrays) expect(internLatin1(a, 0, a.length)).toBe(latin1(a, 0, a.length));
    }), { numRuns: 2000, seed: 13 });
  });

  it('gives back the cached string for equal bytes', () => {
    const a = bytes('keep-alive');
    const first = internLatin1(a, 0, a.length);
    expect(internLatin1(bytes('keep-alive'), 0, 10)).toBe(first);
  });
});

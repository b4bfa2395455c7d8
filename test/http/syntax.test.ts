// Unit tests of the byte-level HTTP syntax helpers: start-line shapes and parses, field lines, numbers.
// Pure functions on byte literals; the incremental parser is exercised in framing.test.ts.

import { describe, expect, it } from 'vitest';
import {
  headerTokens, keptHeader, Kept, parseChunkSize, parseContentLength, parseRequestLine, parseStatusLine, printable,
  splitFieldLine, startShape, transferCodings,
} from '../../src/http/syntax.js';
import { bytes } from './helpers.js';

const shape = (s: string, want: 'request' | 'status' | 'either' = 'either') => startShape(bytes(s), 0, s.length, want);
const req = (s: string) => parseRequestLine(bytes(s), 0, s.length);
const status = (s: string) => parseStatusLine(bytes(s), 0, s.length);

describe('start line shape (decided from the first bytes, so any split decides alike)', () => {
  it('needs more bytes for prefixes, says yes once plausible, no on a mismatch', () => {
    expect(shape('')).toBe('maybe');
    expect(shape('G')).toBe('maybe');
    expect(shape('GET')).toBe('maybe');
    expect(shape('GET ')).toBe('yes');
    expect(shape('HTTP/1.')).toBe('maybe');
    expect(shape('HTTP/1.1 20')).toBe('maybe');
    expect(shape('HTTP/1.1 200 ')).toBe('yes');
    expect(shape('HTTP/1.1 200\r')).toBe('yes');
    expect(shape('\x16\x03\x01')).toBe('no');
    expect(shape('GET/ HTTP/1.1')).toBe('no');
    // A lone token line is left to the full parse, which refuses an SSH banner.
    expect(shape('SSH-2.0-OpenSSH_9.0\r\n')).toBe('maybe');
    expect(req('SSH-2.0-OpenSSH_9.0')).toBeNull();
    expect(shape('a'.repeat(33))).toBe('no');
    expect(shape('a'.repeat(32))).toBe('maybe');
  });

  it('respects the expected kind', () => {
    expect(shape('GET / HTTP/1.1', 'status')).toBe('no');
    expect(shape('HTTP/1.1 200 OK', 'request')).toBe('no');
  });
});

describe('request line', () => {
  it('parses method, target and version (RFC 9112 §3)', () => {
    expect(req('GET /a?b=c HTTP/1.1')).toEqual({ method: 'GET', target: '/a?b=c', version: 'HTTP/1.1', http09: false, malformed: false });
    expect(req('OPTIONS * HTTP/1.0')?.target).toBe('*');
    expect(req('CONNECT host:443 HTTP/1.1')?.target).toBe('host:443');
    expect(req('FROB /x HTTP/1.1')?.method).toBe('FROB');
  });

  it('tolerates several spaces between words (RFC 9112 §3 allows whitespace-delimited parsing)', () => {
    expect(req('GET  /x   HTTP/1.1')?.target).toBe('/x');
  });

  it('recognises HTTP/0.9 `GET /path` and known methods with a broken version, as Wireshark does', () => {
    expect(req('GET /index.html')).toEqual({ method: 'GET', target: '/index.html', version: 'HTTP/0.9', http09: true, malformed: false });
    expect(req('GET / HTTP/1.')).toMatchObject({ version: 'HTTP/1.', malformed: true });
    expect(req('OPTIONS')).toMatchObject({ method: 'OPTIONS', version: '', malformed: true });
    expect(req('POST /x')).toMatchObject({ method: 'POST', target: '/x', malformed: true });
  });

  it('refuses other protocols and unknown tokens without a version', () => {
    expect(req('OPTIONS rtsp://cam RTSP/1.0')).toBeNull();
    expect(req('INVITE sip:a@b SIP/2.0')).toBeNull();
    expect(req('EHLO mail.example.com')).toBeNull();
    expect(req('USER anonymous')).toBeNull();
    expect(req('FROB /x HTTP/1.')).toBeNull();
  });
});

describe('status line', () => {
  it('parses version, status and reason (RFC 9112 §4)', () => {
    expect(status('HTTP/1.1 200 OK')).toEqual({ version: 'HTTP/1.1', status: 200, reason: 'OK' });
    expect(status('HTTP/1.0 404 Not Found')).toEqual({ version: 'HTTP/1.0', status: 404, reason: 'Not Found' });
    expect(status('HTTP/1.1 204')).toEqual({ version: 'HTTP/1.1', status: 204, reason: '' });
    expect(status('HTTP/1.1 20 OK')).toBeNull();
    expect(status('HTTP/1.1 2000 OK')).toBeNull();
    expect(status('RTSP/1.0 200 OK')).toBeNull();
  });
});

describe('field lines', () => {
  it('splits name and value, trims OWS, notes space before the colon', () => {
    const line = 'Content-Length:   42  ';
    const f = splitFieldLine(bytes(line), 0, line.length)!;
    expect(line.slice(f.nameFrom, f.nameTo)).toBe('Content-Length');
    expect(line.slice(f.valueFrom, f.valueTo)).toBe('42');
    expect(f.spaceBeforeColon).toBe(false);
    expect(splitFieldLine(bytes('Host : x'), 0, 8)?.spaceBeforeColon).toBe(true);
    expect(splitFieldLine(bytes('no colon here'), 0, 13)).toBeNull();
    expect(splitFieldLine(bytes(': empty name'), 0, 12)).toBeNull();
  });

  it('finds kept header names case-insensitively (RFC 9110 §5.1)', () => {
    expect(keptHeader(bytes('cOnNeCtIoN'), 0, 10)).toBe(Kept.CONNECTION);
    expect(keptHeader(bytes('TRANSFER-ENCODING'), 0, 17)).toBe(Kept.TRANSFER_ENCODING);
    expect(keptHeader(bytes('X-Other'), 0, 7)).toBe(-1);
  });

  it('splits token lists', () => {
    expect(headerTokens('Keep-Alive, Upgrade')).toEqual(['keep-alive', 'upgrade']);
    expect(headerTokens(' close ')).toEqual(['close']);
    expect(headerTokens(null)).toEqual([]);
    expect(transferCodings('gzip, Chunked;q=1')).toEqual(['gzip', 'chunked']);
  });
});

describe('numbers', () => {
  it('Content-Length: valid, repeated identical, and every way to be wrong', () => {
    expect(parseContentLength('0')).toEqual({ bytes: 0 });
    expect(parseContentLength('000123')).toEqual({ bytes: 123 });
    expect(parseContentLength('5, 5')).toEqual({ bytes: 5 });
    expect(parseContentLength('9007199254740991')).toEqual({ bytes: Number.MAX_SAFE_INTEGER });
    expect(parseContentLength('9007199254740992')).toEqual({ error: 'Content-Length 9007199254740992 too large' });
    expect(parseContentLength('-1')).toEqual({ error: 'negative Content-Length -1' });
    expect(parseContentLength('5, 6')).toEqual({ error: 'differing Content-Length values "5, 6"' });
    expect(parseContentLength('')).toEqual({ error: 'invalid Content-Length ""' });
    expect(parseContentLength('1e3')).toEqual({ error: 'invalid Content-Length "1e3"' });
    expect(parseContentLength('+5')).toEqual({ error: 'invalid Content-Length "+5"' });
  });

  it('chunk sizes: hex, extensions, overflow refused (RFC 9112 §7.1)', () => {
    const size = (s: string) => parseChunkSize(bytes(s), 0, s.length);
    expect(size('1a')).toEqual({ bytes: 26, ext: false });
    expect(size('FF ; name=value')).toEqual({ bytes: 255, ext: true });
    expect(size('0000000000000000000010')).toEqual({ bytes: 16, ext: false });
    expect(size('1fffffffffffff')).toEqual({ bytes: Number.MAX_SAFE_INTEGER, ext: false });
    expect(size('20000000000000')).toEqual({ error: 'chunk size overflows 2^53' });
    expect(size('')).toMatchObject({ error: expect.stringContaining('invalid chunk size line') });
    expect(size('xyz')).toMatchObject({ error: expect.stringContaining('invalid chunk size line') });
    expect(size('5 junk')).toMatchObject({ error: expect.stringContaining('invalid chunk size line') });
  });
});

describe('printable', () => {
  it('escapes controls and cuts long strings', () => {
    expect(printable('a\r\nb\x7f')).toBe('a\\x0d\\x0ab\\x7f');
    expect(printable('x'.repeat(10), 4)).toBe('xxxx…');
  });
});

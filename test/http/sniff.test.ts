// What a connection carries when it is not HTTP (src/http/sniff.ts): TLS hellos and SSH identification strings,
// byte by byte as RFC 8446 §4, RFC 6066 §3, RFC 7301 §3.1 and RFC 4253 §4.2 lay them out; prefixes the sniffer must
// not take (HTTP, junk, gaps); that no byte string makes it throw and no split changes what it finds.

import { describe, expect, it } from 'vitest';
import { HttpConnection } from '../../src/http/connection.js';
import fc from 'fast-check';
import { DirectionSniffer, describeDirectionProtocol, otherProtocolOf, tlsVersionName, type DirectionProtocol } from '../../src/http/sniff.js';
import { C, S, bytes, captureEnd, closedByClient, fin, gap, head, lines, run, tx } from './helpers.js';

const u16 = (n: number) => [(n >> 8) & 0xff, n & 0xff];
const u24 = (n: number) => [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
const ext = (type: number, body: number[]) => [...u16(type), ...u16(body.length), ...body];

/** A TLS handshake record (content type 22, record version 0x0301 as clients send it) holding one hello. */
function record(handshakeType: number, body: number[], recordVersion = 0x0301): Uint8Array {
  const hs = [handshakeType, ...u24(body.length), ...body];
  return new Uint8Array([22, ...u16(recordVersion), ...u16(hs.length), ...hs]);
}

function clientHello(opts: { legacy?: number; sni?: string; alpn?: string[]; versions?: number[] } = {}): Uint8Array {
  const exts: number[] = [];
  if (opts.sni !== undefined) {
    const name = ascii(opts.sni);
    const entry = [0, ...u16(name.length), ...name];
    exts.push(...ext(0, [...u16(entry.length), ...entry]));
  }
  if (opts.alpn !== undefined) {
    const list = opts.alpn.flatMap((p) => [p.length, ...ascii(p)]);
    exts.push(...ext(16, [...u16(list.length), ...list]));
  }
  if (opts.versions !== undefined) {
    const list = opts.versions.flatMap(u16);
    exts.push(...ext(43, [list.length, ...list]));
  }
  const body = [
    ...u16(opts.legacy ?? 0x0303),
    ...new Array(32).fill(0x11), // random
    32, ...new Array(32).fill(0x22), // legacy_session_id
    ...u16(4), 0x13, 0x01, 0xc0, 0x2f, // cipher_suites
    1, 0, // legacy_compression_methods: null
    ...u16(exts.length), ...exts,
  ];
  return record(1, body);
}

function serverHello(opts: { legacy?: number; selected?: number; alpn?: string } = {}): Uint8Array {
  const exts: number[] = [];
  if (opts.selected !== undefined) exts.push(...ext(43, u16(opts.selected)));
  if (opts.alpn !== undefined) {
    const list = [opts.alpn.length, ...ascii(opts.alpn)];
    exts.push(...ext(16, [...u16(list.length), ...list]));
  }
  const body = [...u16(opts.legacy ?? 0x0303), ...new Array(32).fill(0x33), 0, 0x13, 0x01, 0, ...u16(exts.length), ...exts];
  return record(2, body, 0x0303);
}

/** Feeds `data` in pieces cut at `cuts`, then ends the direction; the sniffer's result. */
function sniff(data: Uint8Array, cuts: number[] = []): DirectionProtocol | null {
  const s = new DirectionSniffer();
  let from = 0;
  for (const cut of [...cuts.filter((c) => c > 0 && c < data.length).sort((a, b) => a - b), data.length]) {
    if (cut > from) s.data(data.subarray(from, cut), from);
    from = cut;
  }
  s.end();
  return s.result;
}

describe('TLS hellos', () => {
  it('reads a ClientHello byte for byte: server name, ALPN list, highest supported version (GREASE skipped)', () => {
    const hello = clientHello({ sni: 'api.example.test', alpn: ['h2', 'http/1.1'], versions: [0x3a3a, 0x0304, 0x0303] });
    // The record header and handshake header as RFC 8446 §5.1 and §4 lay them out.
    expect([...hello.subarray(0, 6)]).toEqual([0x16, 0x03, 0x01, 0x00, hello.length - 5, 0x01]);
    expect(sniff(hello)).toEqual({ kind: 'tls-client-hello', offered: 0x0304, serverName: 'api.example.test', alpn: ['h2', 'http/1.1'], cut: false });
  });

  it('without supported_versions, offers its legacy version (a TLS 1.2 client)', () => {
    expect(sniff(clientHello({ legacy: 0x0303 }))).toEqual({ kind: 'tls-client-hello', offered: 0x0303, serverName: null, alpn: [], cut: false });
  });

  it('with supported_versions, legacy_version says nothing (RFC 8446 §4.2.1); drafts rank between 1.2 and 1.3', () => {
    expect(sniff(clientHello({ legacy: 0x0303, versions: [0x0302, 0x0301] }))).toMatchObject({ offered: 0x0302 });
    expect(sniff(clientHello({ versions: [0x7f1c, 0x0303] }))).toMatchObject({ offered: 0x7f1c });
    expect(sniff(clientHello({ versions: [0x7f1c, 0x0304] }))).toMatchObject({ offered: 0x0304 });
  });

  it('a hello that spans two TLS records is joined (RFC 8446 §5.1)', () => {
    const one = clientHello({ sni: 'two.records.test', alpn: ['h2', 'http/1.1'], versions: [0x0304] });
    const hs = one.subarray(5);
    const split = new Uint8Array([22, 3, 1, 0, 40, ...hs.subarray(0, 40), 22, 3, 1, ...u16(hs.length - 40), ...hs.subarray(40)]);
    expect(sniff(split)).toEqual(sniff(one));
    expect(sniff(split)).toMatchObject({ offered: 0x0304, serverName: 'two.records.test', cut: false });
  });

  it('GREASE and empty ALPN names are not protocols (RFC 8701, RFC 7301 §3.1)', () => {
    const hello = clientHello({ alpn: ['\x1a\x1a', 'h2', '', 'http/1.1'] });
    expect(sniff(hello)).toMatchObject({ alpn: ['h2', 'http/1.1'] });
  });

  it('a server name is UTF-8, its control characters (C1 included) escaped', () => {
    const name = 'b\xc3\xbccher.test\xc2\x85';
    expect(sniff(clientHello({ sni: name }))).toMatchObject({ serverName: 'bücher.test\\x85' });
  });

  it('reads a ServerHello: the version chosen by supported_versions, else its legacy version, and its ALPN', () => {
    expect(sniff(serverHello({ selected: 0x0304 }))).toEqual({ kind: 'tls-server-hello', chosen: 0x0304, alpn: null, cut: false });
    expect(sniff(serverHello({ legacy: 0x0303, alpn: 'http/1.1' }))).toEqual({ kind: 'tls-server-hello', chosen: 0x0303, alpn: 'http/1.1', cut: false });
  });

  it('decides once the first record is whole, without waiting for the end', () => {
    const s = new DirectionSniffer();
    const hello = clientHello({ sni: 'x.test' });
    s.data(hello.subarray(0, 20), 0);
    expect(s.decided).toBe(false);
    s.data(hello.subarray(20), 20);
    expect(s.decided).toBe(true);
    expect(s.result).toMatchObject({ kind: 'tls-client-hello', serverName: 'x.test' });
  });

  it('a hello cut short (snap length, a gap, the end) is read as far as it goes, its version not guessed', () => {
    const hello = clientHello({ sni: 'cut.test', alpn: ['h2'], versions: [0x0304] });
    // Cut inside the extensions: legacy_version 0x0303 may stand for TLS 1.3, so the version stays unknown.
    expect(sniff(hello.subarray(0, 90))).toEqual({ kind: 'tls-client-hello', offered: null, serverName: null, alpn: [], cut: true });
    // Cut after the server name: it is known, the version is not.
    const afterName = 5 + 4 + 2 + 32 + 33 + 6 + 2 + 2 + 4 + 2 + 3 + 'cut.test'.length;
    expect(sniff(hello.subarray(0, afterName + 1))).toMatchObject({ offered: null, serverName: 'cut.test', cut: true });
    const server = serverHello({ selected: 0x0304 });
    expect(sniff(server.subarray(0, 50))).toEqual({ kind: 'tls-server-hello', chosen: null, alpn: null, cut: true });
  });

  it('an alert as the first record is read in the clear (a refused hello)', () => {
    expect(sniff(new Uint8Array([21, 3, 3, 0, 2, 2, 70]))).toEqual({ kind: 'tls-alert', level: 2, description: 70 });
    // Longer than two bytes, it is encrypted (tshark: "Encrypted Alert"): a record, nothing read from it.
    expect(sniff(new Uint8Array([21, 3, 3, 0, 26, ...new Array(26).fill(0xc1)]))).toEqual({ kind: 'tls-record', version: 0x0303 });
  });

  it('a record other than a hello at the start is TLS all the same (the handshake is not in the capture)', () => {
    expect(sniff(new Uint8Array([23, 3, 3, 0, 4, 1, 2, 3, 4]))).toEqual({ kind: 'tls-record', version: 0x0303 });
  });

  it('names versions as the RFCs do', () => {
    expect([0x0300, 0x0301, 0x0302, 0x0303, 0x0304, 0x7f1c, 0x0305].map(tlsVersionName)).toEqual(['SSL 3.0', 'TLS 1.0', 'TLS 1.1', 'TLS 1.2', 'TLS 1.3', 'TLS 1.3 (draft 28)', 'TLS 0x0305']);
  });
});

describe('SSH and what is neither', () => {
  it('reads an SSH identification string up to its CR LF', () => {
    expect(sniff(bytes('SSH-2.0-OpenSSH_9.6\r\n\x00\x00\x01\x14'))).toEqual({ kind: 'ssh', banner: 'SSH-2.0-OpenSSH_9.6' });
  });

  it('an identification string the capture cut before its LF is kept as far as it goes', () => {
    expect(sniff(bytes('SSH-2.0-Open'))).toEqual({ kind: 'ssh', banner: 'SSH-2.0-Open' });
  });

  it('decides on the first byte for HTTP and anything else that is neither, keeping nothing', () => {
    const s = new DirectionSniffer();
    s.data(bytes('GET / HTTP/1.1\r\n'), 0);
    expect(s.decided).toBe(true);
    expect(s.result).toBeNull();
    expect(sniff(bytes('SMTP ready'))).toBeNull();
    expect(sniff(new Uint8Array([22, 3, 9, 0, 1, 0]))).toBeNull(); // record version 3.9 is no TLS
    expect(sniff(new Uint8Array([22, 2, 0, 0, 1, 0]))).toBeNull();
  });

  it('a prefix too short to tell is nothing; so is a stream that does not start at offset 0', () => {
    expect(sniff(new Uint8Array([22, 3]))).toBeNull();
    const s = new DirectionSniffer();
    s.data(clientHello({ sni: 'late.test' }), 100);
    expect(s.decided).toBe(true);
    expect(s.result).toBeNull();
  });
});

describe('properties', () => {
  it('no byte string makes it throw, whatever follows a TLS record header', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.constantFrom(0, 1, 2), (tail, shape) => {
        const prefix = shape === 0 ? [22, 3, 3, 2, 0, 1] : shape === 1 ? [22, 3, 3, 2, 0, 2] : ascii('SSH-');
        const data = new Uint8Array([...prefix, ...tail]);
        expect(() => sniff(data)).not.toThrow();
        // A mutated real hello too: every length field may now lie.
        const hello = clientHello({ sni: 'fuzz.test', alpn: ['h2'], versions: [0x0304] });
        for (let i = 0; i < tail.length && i < hello.length; i += 7) hello[(i * 13) % hello.length] = tail[i]!;
        expect(() => sniff(hello)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });

  it('where the stream is split does not change what is found', () => {
    const samples = [
      clientHello({ sni: 'split.test', alpn: ['h2', 'http/1.1'], versions: [0x0304, 0x0303] }),
      serverHello({ selected: 0x0304 }),
      bytes('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\nrest'),
      new Uint8Array([21, 3, 3, 0, 2, 2, 40, 23, 3, 3]),
      // A hello in two records.
      (() => {
        const hs = clientHello({ sni: 'split.two', versions: [0x0304] }).subarray(5);
        return new Uint8Array([22, 3, 1, 0, 30, ...hs.subarray(0, 30), 22, 3, 1, ...u16(hs.length - 30), ...hs.subarray(30)]);
      })(),
    ];
    fc.assert(
      fc.property(fc.constantFrom(...samples), fc.array(fc.nat({ max: 200 }), { maxLength: 6 }), (data, cuts) => {
        expect(sniff(data, cuts)).toEqual(sniff(data));
      }),
      { numRuns: 300 },
    );
  });
});

describe('the connection verdict', () => {
  it('a TLS connection is not HTTP, and says what it is: version chosen, server name, ALPN offered and chosen', () => {
    const r = run([
      tx(C, clientHello({ sni: 'shop.example.test', alpn: ['h2', 'http/1.1'], versions: [0x0304, 0x0303] })),
      tx(S, serverHello({ selected: 0x0304 })),
      tx(C, new Uint8Array([23, 3, 3, 0, 2, 9, 9])),
      fin(C),
      fin(S),
    ]);
    expect(r.summary.mode).toBe('none');
    expect(r.summary.otherProtocol).toEqual({
      name: 'TLS', version: 'TLS 1.3', offeredVersion: 'TLS 1.3', serverName: 'shop.example.test', alpnOffered: ['h2', 'http/1.1'], alpn: null,
      alert: null, helloCut: false, clientBanner: null, serverBanner: null,
    });
    expect(r.summary.reason).toMatch(/^not HTTP: TLS 1\.3 \(server name shop\.example\.test; ALPN offered h2, http\/1\.1\): encrypted, nothing to parse \(\d+ bytes not parsed\)$/);
  });

  it('without the server hello, says what the client offered and that the answer is not in the capture', () => {
    const r = run([tx(C, clientHello({ sni: 'a.test', versions: [0x0304] })), captureEnd(C), captureEnd(S)]);
    expect(r.summary.otherProtocol).toMatchObject({ name: 'TLS', version: null, offeredVersion: 'TLS 1.3' });
    expect(r.summary.reason).toContain('client offers up to TLS 1.3, no server hello in the capture');
  });

  it('an SSH connection names both identification strings, the client first', () => {
    const r = run([tx(S, 'SSH-2.0-OpenSSH_9.2p1\r\n'), tx(C, 'SSH-2.0-PuTTY_Release_0.80\r\n'), fin(S), fin(C)]);
    expect(r.summary.otherProtocol).toMatchObject({ name: 'SSH', version: '2.0', clientBanner: 'SSH-2.0-PuTTY_Release_0.80', serverBanner: 'SSH-2.0-OpenSSH_9.2p1' });
    expect(r.summary.reason).toMatch(/^not HTTP: SSH 2\.0 \(client SSH-2\.0-PuTTY_Release_0\.80; server SSH-2\.0-OpenSSH_9\.2p1\)/);
    // One side only: the reason says which; the server's version decides (a client's 1.99 is 2.0 compatible).
    const one = run([tx(S, 'SSH-2.0-OpenSSH_9.2p1\r\n'), fin(S), fin(C)]);
    expect(one.summary.reason).toMatch(/^not HTTP: SSH 2\.0 \(the client's identification string is not in the capture; server SSH-2\.0-OpenSSH_9\.2p1\)/);
    const old = run([tx(C, 'SSH-1.99-old\r\n'), tx(S, 'SSH-2.0-new\r\n'), fin(S), fin(C)]);
    expect(old.summary.otherProtocol?.version).toBe('2.0');
  });

  it('a server that refuses the hello with an alert: said, and no "encrypted"', () => {
    const r = run([tx(C, clientHello({ sni: 'old.test', versions: [0x0304] })), tx(S, new Uint8Array([21, 3, 3, 0, 2, 2, 70])), fin(S), fin(C)]);
    expect(r.summary.otherProtocol).toMatchObject({ version: null, offeredVersion: 'TLS 1.3', alert: 'server: protocol_version (70), fatal' });
    expect(r.summary.reason).toMatch(/^not HTTP: TLS \(server name old\.test; alert from the server: protocol_version \(70\), fatal\): no session/);
  });

  it('HTTP connections have none, and neither has a connection whose first bytes were lost', () => {
    const http = run([tx(C, head('GET / HTTP/1.1', 'Host: a')), tx(S, head('HTTP/1.1 204 No Content')), fin(C), fin(S)], closedByClient);
    expect(http.summary.mode).toBe('short');
    expect(http.summary.otherProtocol).toBeNull();
    const lost = run([gap(C, 100), tx(C, clientHello({ sni: 'b.test' })), fin(C), fin(S)]);
    expect(lost.summary.mode).toBe('none');
    expect(lost.summary.otherProtocol).toBeNull();
  });

  it('otherProtocolOf: SSH wins over a stray TLS-looking side; nothing found is null', () => {
    expect(otherProtocolOf(null, null)).toBeNull();
    expect(otherProtocolOf({ kind: 'tls-record', version: 0x0303 }, { kind: 'ssh', banner: 'SSH-1.99-x' })).toMatchObject({ name: 'SSH', version: '1.99', serverBanner: 'SSH-1.99-x' });
    expect(otherProtocolOf({ kind: 'tls-record', version: 0x0303 }, null)).toMatchObject({ name: 'TLS', version: null, offeredVersion: null });
  });
});

describe('the timeline: what the first bytes are, on the packet that completed them', () => {
  it('a ClientHello and a ServerHello, each on the packet that completed it, with what the hello says', () => {
    const hello = clientHello({ sni: 'shop.example.test', alpn: ['h2', 'http/1.1'], versions: [0x0a0a, 0x0304, 0x0303] });
    // The ClientHello in two segments (frames 1 and 2): said once, on the second.
    const r = run([
      tx(C, hello.subarray(0, 60)),
      tx(C, hello.subarray(60)),
      tx(S, serverHello({ selected: 0x0304, alpn: 'h2' })),
      tx(C, new Uint8Array([23, 3, 3, 0, 2, 9, 9])),
      fin(C),
      fin(S),
    ]);
    expect(lines(r.events)).toEqual([
      '2 tls.hello client sends TLS ClientHello: server name shop.example.test, offers up to TLS 1.3, ALPN h2, http/1.1',
      '3 tls.hello server sends TLS ServerHello: chooses TLS 1.3, ALPN h2',
    ]);
    expect(r.events.map((e) => [e.dir, e.exchange])).toEqual([[0, 0], [1, 0]]);
  });

  it('a TLS 1.2 hello without SNI; a refusing alert; a hello its direction\'s end cut short, said there, not at a gap', () => {
    const old = run([tx(C, clientHello({ legacy: 0x0303 })), tx(S, new Uint8Array([21, 3, 3, 0, 2, 2, 70])), fin(S), fin(C)]);
    expect(lines(old.events)).toEqual([
      '1 tls.hello client sends TLS ClientHello: no server name (SNI), offers up to TLS 1.2',
      '2 tls.alert server sends a TLS alert in the clear: protocol_version (70), fatal',
    ]);
    const hello = clientHello({ sni: 'cut.test', versions: [0x0304] });
    const cut = run([tx(C, hello.subarray(0, 50)), fin(C), fin(S)]);
    expect(lines(cut.events)).toEqual(['2 tls.hello client sends TLS ClientHello: server name not in the capture, hello cut short in the capture']);
    // A gap decides it too, but its packet (usually the other side's ACK) is no place to say so: the verdict does.
    const gapped = run([tx(C, hello.subarray(0, 50)), gap(C, hello.length - 50), fin(C), fin(S)]);
    expect(gapped.events.filter((e) => e.code === 'tls.hello')).toEqual([]);
    expect(gapped.summary.otherProtocol?.helloCut).toBe(true);
  });

  it('SSH identification strings, each side on its own packet; HTTP and bytes that are neither say nothing', () => {
    const ssh = run([tx(S, 'SSH-2.0-OpenSSH_9.2p1\r\n'), tx(C, 'SSH-2.0-PuTTY_Release_0.80\r\n'), fin(S), fin(C)]);
    expect(lines(ssh.events)).toEqual([
      '1 ssh.banner server identifies as SSH: SSH-2.0-OpenSSH_9.2p1',
      '2 ssh.banner client identifies as SSH: SSH-2.0-PuTTY_Release_0.80',
    ]);
    const http = run([tx(C, head('GET / HTTP/1.1', 'Host: a')), tx(S, head('HTTP/1.1 204 No Content')), fin(C), fin(S)], closedByClient);
    expect(http.events.some((e) => e.code.startsWith('tls.') || e.code.startsWith('ssh.'))).toBe(false);
    // A TLS record that is no hello (the handshake is not in the capture) is named by the verdict, not the timeline.
    expect(describeDirectionProtocol({ kind: 'tls-record', version: 0x0303 }, 'client')).toBeNull();
  });

  it('words off: the same codes, in the same places, with empty texts', () => {
    const conn = new HttpConnection({ texts: false });
    const out: { code: string; text: string; frame: number }[] = [];
    conn.data(C, bytes('SSH-2.0-x\r\n'), 0, 7, 1, 0, out as never);
    expect(out.map((e) => [e.frame, e.code, e.text])).toEqual([[7, 'ssh.banner', '']]);
  });
});

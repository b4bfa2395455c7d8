// The expectation language of `tcptrace check`, evaluated on real reports of fixture captures.
import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { analyzeFile } from '../src/edges.js';
import { PROPERTY_VALUES, checkFailOn, evaluate, expectationProblem, failOnProblem, parseExpectation, PROPERTY_CODES, type Expectation } from '../src/check.js';
import { FACT_NAMES, NUMERIC_FACT_NAMES, connectionFacts } from '../src/facts.js';
import { pcap } from './helpers/pcap-writer.js';
import { ethernet, ipv4 } from './helpers/packet-builder.js';
import { ANNOTATION_CODES } from '../src/types.js';

const CAP = (n: string) => path.resolve(import.meta.dirname, '..', 'fixtures', 'captures', n);
const e = (t: string) => parseExpectation(t) as Expectation;

describe('parseExpectation', () => {
  it('reads scope, name, operator and value', () => {
    expect(parseExpectation('conn 2: http.mode = pipelined')).toEqual({ source: 'conn 2: http.mode = pipelined', scope: { kind: 'conn', id: 2 }, name: 'http.mode', op: '=', value: 'pipelined' });
    expect(parseExpectation('tcp.retransmission>=3')).toMatchObject({ scope: { kind: 'capture' }, name: 'tcp.retransmission', op: '>=', value: '3' });
    expect(parseExpectation('any: close!=rst')).toMatchObject({ scope: { kind: 'any' }, op: '!=' });
  });
  it('explains what it cannot read', () => {
    expect(parseExpectation('connections')).toEqual({ error: expect.stringContaining('NAME OP VALUE') });
    expect(parseExpectation('a=')).toEqual({ error: expect.stringContaining('cannot read') });
  });
});

describe('evaluate on real captures', () => {
  it('totals, properties, scopes and unknown names', async () => {
    const r = await analyzeFile(CAP('real-http11-pipelined.pcap'));
    expect(evaluate(r, e('connections=2')).ok).toBe(true);
    expect(evaluate(r, e('http.requests=7')).ok).toBe(true);
    expect(evaluate(r, e('http.mode=pipelined')).ok).toBe(true);
    expect(evaluate(r, e('conn 0: http.maxPipelineDepth>=4'))).toMatchObject({ ok: true });
    expect(evaluate(r, e('conn 5: close=fin'))).toMatchObject({ ok: false, detail: expect.stringContaining('no connection 5') });
    expect(evaluate(r, e('http.mode=keep-alive'))).toMatchObject({ ok: false, detail: expect.stringContaining('2 of 2 connection(s) differ') });
    expect(evaluate(r, e('any: http.maxPipelineDepth=3')).ok).toBe(true);
    expect(evaluate(r, e('every: tcp.handshake=3')).ok).toBe(true);
    expect(evaluate(r, e('colour=blue'))).toMatchObject({ ok: false, detail: expect.stringContaining('unknown name') });
  });
  it('selfConnect: a CI job can assert that no client reached only itself', async () => {
    const self = await analyzeFile(CAP('real-self-connect.pcap'));
    expect(evaluate(self, e('every: selfConnect=true')).ok).toBe(true);
    expect(evaluate(self, e('selfConnect=false'))).toMatchObject({ ok: false, detail: expect.stringContaining('2 of 2 connection(s) differ (conn 0: true; conn 1: true)') });
    const normal = await analyzeFile(CAP('real-http11-pipelined.pcap'));
    expect(evaluate(normal, e('selfConnect=false')).ok).toBe(true);
  });
  it('what the capture missed of HTTP: responses without requests, lost responses, unparsed bytes', async () => {
    const lost = await analyzeFile(CAP('real-head-lost.pcap'));
    expect(evaluate(lost, e('http.orphanResponses=1'))).toMatchObject({ ok: true });
    expect(evaluate(lost, e('http.mode=keep-alive')).ok).toBe(true);
    expect(evaluate(lost, e('http.unparsedBytes=78')).ok).toBe(true);
    // The 78 bytes of the removed frame are a stream gap, counted as a total (stream.gap was documented and checkable,
    // but never emitted: a check for it always passed).
    expect(evaluate(lost, e('stream.gap=1'))).toMatchObject({ ok: true });
    expect(checkFailOn(lost, ['stream.gap'])[0]).toMatchObject({ ok: false });
    const whole = await analyzeFile(CAP('real-head-204-304.pcap'));
    for (const x of ['http.orphanResponses=0', 'http.lostResponses=0', 'http.unparsedBytes=0', 'http.interimResponses=0']) {
      expect(evaluate(whole, e(x))).toMatchObject({ ok: true });
    }
    expect(evaluate(whole, e('http.orphanResponses>0'))).toMatchObject({ ok: false });
  });
  it('what a connection without HTTP carries: TLS version and server name, SSH', async () => {
    const r = await analyzeFile(CAP('real-tls-ssh.pcap'));
    expect(evaluate(r, e('conn 0: tls.serverName=localhost'))).toMatchObject({ ok: true });
    expect(evaluate(r, e('conn 0: tls.version=TLS 1.3'))).toMatchObject({ ok: true });
    expect(evaluate(r, e('conn 1: tls.version=TLS 1.2'))).toMatchObject({ ok: true });
    expect(evaluate(r, e('conn 2: other.protocol=SSH'))).toMatchObject({ ok: true });
    expect(evaluate(r, e('tls.version=TLS 1.3'))).toMatchObject({ ok: false, detail: expect.stringContaining('conn 1: TLS 1.2') });
    const http = await analyzeFile(CAP('real-head-204-304.pcap'));
    expect(evaluate(http, e('other.protocol=null'))).toMatchObject({ ok: true });
  });
  it('a word-valued property compared with a value it cannot take fails with the closest one, not "held"', async () => {
    const r = await analyzeFile(CAP('real-refused-and-rst.pcap'));
    expect(evaluate(r, e('http.mode!=pipelinedd'))).toMatchObject({ ok: false, detail: expect.stringContaining('(did you mean pipelined?)') });
    expect(evaluate(r, e('close!=RST'))).toMatchObject({ ok: false, detail: expect.stringContaining('(did you mean rst?)') });
    expect(evaluate(r, e('http.closeAnnounced=no'))).toMatchObject({ ok: false, detail: expect.stringContaining('one of true, false') });
    expect(evaluate(r, e('http.mode>3'))).toMatchObject({ ok: false, detail: expect.stringContaining('has no order') });
    expect(evaluate(r, e('http.close!=null')).detail).not.toContain('not a value');
  });
  it('every value a word-valued property takes on the fixtures is among its listed values', async () => {
    const fs = await import('node:fs');
    const dir = path.resolve(import.meta.dirname, '..', 'fixtures', 'captures');
    const seen = new Map<string, Set<string>>();
    for (const f of fs.readdirSync(dir).filter((n) => /\.(pcap|pcapng)$/.test(n))) {
      const r = await analyzeFile(path.join(dir, f));
      for (const c of r.connections) {
        const facts = connectionFacts(c);
        for (const name of Object.keys(PROPERTY_VALUES)) {
          expect(name in facts, name).toBe(true);
          const v = facts[name];
          if (v === null) continue;
          expect(PROPERTY_VALUES[name], `${f} conn ${c.tcp.id} ${name}=${String(v)}`).toContain(String(v));
          if (!seen.has(name)) seen.set(name, new Set());
          seen.get(name)!.add(String(v));
        }
      }
    }
    // The fixtures reach most of each list: the lists are what the analysis says, not guesses.
    expect(seen.get('http.mode')!.size).toBeGreaterThanOrEqual(6);
    expect(seen.get('close.reason')!.size).toBeGreaterThanOrEqual(6);
  });
  it('fail-on counts the annotations of a code, per connection', async () => {
    const r = await analyzeFile(CAP('real-lossy-keepalive.pcap'));
    const [retrans, rst] = checkFailOn(r, ['tcp.retransmission', 'tcp.refused']);
    expect(retrans!.ok).toBe(false);
    expect(retrans!.detail).toMatch(/^found \d+ in connection\(s\) 0 \(\d+\)$/);
    expect(rst!.ok).toBe(true);
  });
  it('rejects a misspelt code and a count compared with text, instead of passing them as "found 0"', async () => {
    const r = await analyzeFile(CAP('real-lossy-keepalive.pcap'));
    expect(evaluate(r, e('tcp.retransmision=0'))).toMatchObject({ ok: false, detail: expect.stringContaining('unknown name "tcp.retransmision" (did you mean tcp.retransmission?)') });
    const [misspelt] = checkFailOn(r, ['tcp.retransmision']);
    expect(misspelt).toMatchObject({ ok: false, detail: 'unknown annotation code "tcp.retransmision" (did you mean tcp.retransmission?)' });
    expect(evaluate(r, e('connections!=abc'))).toMatchObject({ ok: false, detail: '"abc" is not a number: connections counts' });
    expect(evaluate(r, e('http.maxPipelineDepth>=x'))).toMatchObject({ ok: false, detail: expect.stringContaining('not a number') });
    expect(evaluate(r, e('every: rtt.ms!=null')).ok).toBe(true);
    expect(evaluate(r, e('close.by>abc'))).toMatchObject({ ok: false, detail: 'close.by is one of client, server: it has no order, compare it with = or !=' });
    // Text and yes/no properties have no order: such an expectation could never hold (it failed as "differ").
    for (const text of ['http.upgrade>=1', 'history>S', 'tls.version>1', 'client<3']) {
      const name = text.split(/[<>]/)[0];
      expect(evaluate(r, e(text))).toMatchObject({ ok: false, detail: `${name} is not a number: it has no order, compare it with = or !=` });
    }
  });

  it('counts every annotation code, http.* and ip.* ones included; http.pipelined stays the property', async () => {
    const r = await analyzeFile(CAP('real-http11-pipelined.pcap'));
    expect(evaluate(r, e('http.request=7'))).toMatchObject({ ok: true, detail: 'found 7' });
    expect(evaluate(r, e('http.incomplete=0')).ok).toBe(true);
    expect(evaluate(r, e('ip.fragment=0')).ok).toBe(true);
    expect(evaluate(r, e('conn 0: http.pipelined=3')).ok).toBe(true);
    const frag = await analyzeFile(CAP('crafted-ipv4-fragments.pcap'));
    expect(evaluate(frag, e('ip.reassembled=3')).ok).toBe(true);
  });
  it('a name that is both a code and a property is the property (http.upgrade, http.pipelined)', async () => {
    const r = await analyzeFile(CAP('real-upgrade.pcap'));
    const facts = Object.keys(connectionFacts(r.connections[0]!));
    expect([...PROPERTY_CODES].sort()).toEqual(facts.filter((k) => ANNOTATION_CODES.has(k)).sort());
    expect(evaluate(r, e('http.upgrade=websocket'))).toMatchObject({ ok: true });
    expect(evaluate(r, e('conn 0: http.upgrade!=null')).ok).toBe(true);
  });
});

describe('what is wrong with an expectation is said whatever the capture holds', () => {
  it('a misspelt property gets the name meant, case aside; the name list stays connectionFacts()\'s', async () => {
    const r = await analyzeFile(CAP('real-http11-pipelined.pcap'));
    expect([...FACT_NAMES].sort()).toEqual(Object.keys(connectionFacts(r.connections[0]!)).sort());
    // The numeric ones: numbers on every connection of the fixtures that have a handshake (rtt.ms is null without).
    const facts = connectionFacts(r.connections[0]!);
    expect([...NUMERIC_FACT_NAMES].sort()).toEqual(Object.keys(facts).filter((k) => typeof facts[k] === 'number').sort());
    expect(evaluate(r, e('http.mde=keep-alive'))).toMatchObject({ ok: false, detail: 'unknown name "http.mde" (did you mean http.mode?)' });
    expect(evaluate(r, e('HTTP.MODE=pipelined'))).toMatchObject({ ok: false, detail: 'unknown name "HTTP.MODE" (did you mean http.mode?)' });
    expect(evaluate(r, e('close.bye=client')).detail).toBe('unknown name "close.bye" (did you mean close.by?)');
    // Nothing near: the names are listed.
    expect(evaluate(r, e('colour=blue')).detail).toContain('connection properties are: id, client, server');
  });

  it('on a capture without TCP: name and value errors first; properties and per-connection scopes hold nothing', async () => {
    // One UDP datagram: a capture that no connection came out of.
    const udp = [0x00, 0x35, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00];
    const report = await analyzeFile(pcap([{ data: ethernet(ipv4({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 17 }, udp)) }]));
    expect(report.stats.connections).toBe(0);
    expect(evaluate(report, e('http.mde=keep-alive')).detail).toBe('unknown name "http.mde" (did you mean http.mode?)');
    expect(evaluate(report, e('tcp.retransmision=0')).detail).toBe('unknown name "tcp.retransmision" (did you mean tcp.retransmission?)');
    expect(evaluate(report, e('http.mode=keepalive')).detail).toContain('"keepalive" is not a value of http.mode (did you mean keep-alive?)');
    expect(evaluate(report, e('rtt.ms<abc')).detail).toBe('"abc" is not a number: rtt.ms < needs one');
    expect(evaluate(report, e('connections=x')).detail).toBe('"x" is not a number: connections counts');
    for (const t of ['close=fin', 'every: close=fin', 'every: tcp.retransmission=0', 'any: tcp.retransmission=0']) {
      expect(evaluate(report, e(t))).toMatchObject({ ok: false, detail: 'the capture has no TCP connection' });
    }
    expect(evaluate(report, e('connections=0'))).toMatchObject({ ok: true, detail: 'found 0' });
    expect(evaluate(report, e('tcp.retransmission=0'))).toMatchObject({ ok: true, detail: 'found 0' });
  });
});

describe('value suggestions', () => {
  it('a value that starts others names them (close.reason=fin), else the nearest', async () => {
    const r = await analyzeFile(CAP('real-http10-short.pcap'));
    expect(evaluate(r, e('close.reason=fin')).detail).toContain('(did you mean fin-simultaneous or fin-client-first or fin-server-first?)');
    expect(evaluate(r, e('close=fn')).detail).toContain('(did you mean fin?)');
  });
});

describe('expectationProblem and failOnProblem (what check says before reading any capture)', () => {
  it('null for every well-formed expectation, the reason otherwise, as evaluate() fails it', () => {
    for (const ok of ['connections=1', 'http.mode=keep-alive', 'every: tcp.retransmission=0', 'rtt.ms != null', 'rtt.ms<5',
      'close.reason=fin-client-first', 'http.pipelined>0', 'tcp.dup-ack<3']) {
      expect(expectationProblem(e(ok)), ok).toBeNull();
    }
    expect(expectationProblem(e('colour=blue'))).toMatch(/^unknown name "colour"; connection properties are: /);
    expect(expectationProblem(e('close=finn'))).toBe('"finn" is not a value of close (did you mean fin?): it is one of fin, rst, refused, half-closed, no-answer, open');
    expect(expectationProblem(e('http.mode<short'))).toMatch(/has no order/);
    expect(expectationProblem(e('rtt.ms>fast'))).toBe('"fast" is not a number: rtt.ms > needs one');
    expect(expectationProblem(e('packets=many'))).toBe('"many" is not a number: packets counts');
    expect(expectationProblem(e('bytes.client=abc'))).toBe('"abc" is not a number: bytes.client is one');
    expect(expectationProblem(e('rtt.ms!=fast'))).toBe('"fast" is not a number: rtt.ms is one');
    expect(expectationProblem(e('rtt.ms=null'))).toBeNull();
    expect(expectationProblem(e('rtt.ms>=null'))).toBe('null has no order: compare rtt.ms with null by = or !=');
    expect(expectationProblem(e('close.by<null'))).toBe('null has no order: compare close.by with null by = or !=');
    expect(failOnProblem('tcp.rst')).toBeNull();
    expect(failOnProblem('tcp.rts')).toBe('unknown annotation code "tcp.rts" (did you mean tcp.rst?)');
  });
});

// Real --format json / ndjson output validates against the shipped JSON Schema, with keys in the documented order.
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { runCliCaptured } from './helpers/run-cli-capture.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const schema = JSON.parse(readFileSync(path.join(ROOT, 'schema', 'tcptrace.schema.json'), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: false });
const validate = ajv.compile(schema);
const defs = schema.$defs as Record<string, { properties: Record<string, unknown> }>;

const captures = existsSync(path.join(ROOT, 'fixtures', 'captures'))
  ? readdirSync(path.join(ROOT, 'fixtures', 'captures')).filter((f) => f.startsWith('real-')).map((f) => path.join(ROOT, 'fixtures', 'captures', f))
  : [];

function errorsOf(value: unknown): string {
  return validate(value) ? '' : ajv.errorsText(validate.errors, { separator: '\n' });
}

describe('JSON schema', () => {
  it('has captures to validate', () => expect(captures.length).toBeGreaterThan(0));
  it('rejects records that break the contract', () => {
    expect(errorsOf({ type: 'packet', frame: 1 })).not.toBe('');
    expect(errorsOf({ type: 'meta', schemaVersion: 2, tool: 'tcptrace', version: '0', captures: [] })).not.toBe('');
  });
  for (const capture of captures) {
    it(`ndjson of ${path.basename(capture)} validates, keys in schema order`, async () => {
      const run = await runCliCaptured(['--format', 'ndjson', capture]);
      expect(run.code).toBe(0);
      const records = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(records[0]!.type).toBe('meta');
      expect(records.at(-1)!.type).toBe('summary');
      for (const r of records) {
        expect(errorsOf(r)).toBe('');
        expect(Object.keys(r)).toEqual(Object.keys(defs[r.type as string]!.properties));
      }
      expect(records.some((r) => r.type === 'packet')).toBe(true);
      expect(records.some((r) => r.type === 'connection')).toBe(true);
    });
    it(`json of ${path.basename(capture)} validates as one document`, async () => {
      const run = await runCliCaptured(['--format', 'json', capture]);
      expect(run.code).toBe(0);
      const doc = JSON.parse(run.stdout);
      expect(errorsOf(doc)).toBe('');
      expect(Object.keys(doc)).toEqual(Object.keys(defs.document!.properties));
    });
  }
});

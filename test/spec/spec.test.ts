// The spec itself: generated types are fresh, and every operation is written the way this
// project (and Dredd) needs.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { specApi } from '../helpers/spec';

const ROOT = path.join(__dirname, '..', '..');

it('generated/openapi.d.ts matches spec/openapi.yaml (if not: run `npm run generate` and commit)', () => {
  const fresh = path.join(mkdtempSync(path.join(os.tmpdir(), 'freezer-gen-')), 'openapi.d.ts');
  execFileSync(
    process.execPath,
    [
      path.join(ROOT, 'node_modules', 'openapi-typescript', 'bin', 'cli.js'),
      'spec/openapi.yaml', '-o', fresh, '--default-non-nullable', 'false', '--root-types',
    ],
    { cwd: ROOT, stdio: 'pipe' },
  );
  expect(readFileSync(path.join(ROOT, 'generated', 'openapi.d.ts'), 'utf8')).toBe(readFileSync(fresh, 'utf8'));
});

describe('operations', () => {
  it('have unique camelCase operationIds, a summary and a tag', async () => {
    const api = await specApi();
    const operations = api.getOperations();
    const ids = operations.map((o) => o.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const o of operations) {
      expect(o.operationId).toMatch(/^[a-z][a-zA-Z0-9]*$/);
      expect(o.summary).toBeTruthy();
      expect(o.tags?.length).toBeGreaterThan(0);
    }
  });

  it('give an example for every path and query parameter and request body (Dredd sends them)', async () => {
    const api = await specApi();
    const missing: string[] = [];
    type Parameter = { name: string; in: string; example?: unknown; content?: Record<string, { example?: unknown }> };
    for (const o of api.getOperations()) {
      // Header parameters (If-Match) are optional preconditions: an example would make Dredd send one.
      for (const p of ((o.parameters ?? []) as Parameter[]).filter((p) => p.in === 'path' || p.in === 'query')) {
        const example = p.example ?? Object.values(p.content ?? {})[0]?.example;
        if (example === undefined) missing.push(`${o.operationId} parameter ${p.name}`);
      }
      const body = o.requestBody as { content: Record<string, { example?: unknown }> } | undefined;
      for (const [type, media] of Object.entries(body?.content ?? {})) {
        if (media.example === undefined) missing.push(`${o.operationId} body ${type}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('answer every error with the one Error schema', async () => {
    const api = await specApi();
    const errorSchema = (api.definition.components?.schemas as Record<string, unknown>).Error;
    for (const o of api.getOperations()) {
      for (const [status, response] of Object.entries(o.responses ?? {})) {
        if (Number(status) < 400 || o.operationId === 'getHealth' && status === '503') continue;
        const content = (response as { content?: Record<string, { schema: unknown }> }).content ?? {};
        expect([o.operationId, status, Object.keys(content)]).toEqual([o.operationId, status, ['application/json']]);
        expect(content['application/json']!.schema).toBe(errorSchema);
      }
    }
  });
});

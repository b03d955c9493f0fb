// The spec itself: generated types are fresh, and every operation is written the way this
// project (and Dredd) needs.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type ErrorStatus, MALFORMED_JSON, MISSING_CREDENTIALS, TITLES } from '../../src/errors';
import { unknownTyped } from '../helpers/generated-types';
import { specApi } from '../helpers/spec';
import { tempDir } from '../helpers/temp-dir';

const ROOT = path.join(__dirname, '..', '..');

const dir = tempDir('freezer-gen-');

it('generated/openapi.d.ts matches spec/openapi.yaml (if not: run `npm run generate` and commit), generated without a warning', () => {
  const fresh = path.join(dir, 'openapi.d.ts');
  const generation = spawnSync(
    process.execPath,
    [
      path.join(ROOT, 'node_modules', 'openapi-typescript', 'bin', 'cli.js'),
      'spec/openapi.yaml',
      '-o',
      fresh,
      '--default-non-nullable',
      'false',
      '--root-types',
    ],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
  );
  expect(generation.status).toBe(0);
  // openapi-typescript lints with redocly.yaml's rules and prints what they find as warnings.
  expect(`${generation.stdout}${generation.stderr}`.split('\n').filter((line) => /⚠|warn/i.test(line))).toEqual([]);
  expect(readFileSync(path.join(ROOT, 'generated', 'openapi.d.ts'), 'utf8')).toBe(readFileSync(fresh, 'utf8'));
});

it("types every field the spec names: nothing in generated/openapi.d.ts is `unknown` but open documents' further keys", () => {
  expect(unknownTyped(readFileSync(path.join(ROOT, 'generated', 'openapi.d.ts'), 'utf8'))).toEqual([]);
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
    const errorSchema = (api.definition.components?.schemas as Record<string, unknown>).ErrorBody;
    for (const o of api.getOperations()) {
      for (const [status, response] of Object.entries(o.responses ?? {})) {
        // A health check's 503 is its own report (oslo's text or JSON, the readiness checks); an
        // answer to HEAD has no body at all.
        const healthReport = ['getHealth', 'getReadiness'].includes(o.operationId!) && status === '503';
        if (Number(status) < 400 || healthReport || o.method === 'head') continue;
        const content = (response as { content?: Record<string, { schema: unknown }> }).content ?? {};
        expect([o.operationId, status, Object.keys(content)]).toEqual([o.operationId, status, ['application/json']]);
        expect(content['application/json']!.schema).toBe(errorSchema);
      }
    }
  });
});

describe('error titles', () => {
  type Media = { schema?: unknown; example?: { title?: unknown }; examples?: Record<string, { value?: { title?: unknown } }> };
  type Response = { content?: Record<string, Media> };
  const titleOf = (status: number): string | undefined => TITLES[status as keyof typeof TITLES];
  /** The titles other than their status's the server sends (src/errors.ts). */
  const OTHER_TITLES: Record<number, string[]> = { 400: [MALFORMED_JSON], 422: [MISSING_CREDENTIALS] };

  it('every error example has the title the server sends with its status (TITLES in src/errors.ts)', async () => {
    const api = await specApi();
    const components = api.definition.components ?? {};
    const errorSchema = (components.schemas as Record<string, unknown>).ErrorBody;
    // The dereferenced spec shares one object per $ref target: name a shared response once.
    const names = new Map(
      Object.entries(components.responses ?? {}).map(([name, r]) => [r as object, `components.responses.${name}`]),
    );
    const used = new Set<object>();
    const problems = new Set<string>();
    const withError = (response: Response) =>
      Object.entries(response.content ?? {}).filter(([, media]) => media.schema === errorSchema);

    for (const o of api.getOperations()) {
      for (const [status, response] of Object.entries(o.responses ?? {}) as [string, Response][]) {
        used.add(response);
        const errors = withError(response);
        if (errors.length === 0) continue;
        const name = names.get(response);
        const where = name ? `${name} as ${status}` : `${o.operationId} ${status}`;
        const title = titleOf(Number(status));
        if (title === undefined) {
          problems.add(`${where}: TITLES has no title for ${status}, so the server never answers it`);
          continue;
        }
        const allowed = [title, ...(OTHER_TITLES[Number(status)] ?? [])];
        for (const [type, media] of errors) {
          const examples: [string, unknown][] = [
            ...(media.example === undefined ? [] : [['example', media.example.title] as [string, unknown]]),
            ...Object.entries(media.examples ?? {}).map(([name, e]): [string, unknown] => [`examples.${name}`, e.value?.title]),
          ];
          if (examples.length === 0) problems.add(`${where} ${type}: no example`);
          for (const [label, got] of examples) {
            if (!allowed.includes(got as string)) {
              problems.add(
                `${where} ${type} ${label}: title ${JSON.stringify(got)}, the server sends ${allowed.map((t) => JSON.stringify(t)).join(' or ')}`,
              );
            }
          }
        }
      }
    }
    for (const [response, name] of names) {
      if (!used.has(response) && withError(response).length > 0) {
        problems.add(`${name} is an error no operation answers with, so its status (and title) is unknown`);
      }
    }
    const schemaExample = (errorSchema as { properties: { title: { example?: string } } }).properties.title.example;
    if (schemaExample !== undefined && ![...Object.values(TITLES), MALFORMED_JSON, MISSING_CREDENTIALS].includes(schemaExample)) {
      problems.add(`components.schemas.ErrorBody title example ${JSON.stringify(schemaExample)} is no title the server sends`);
    }
    expect([...problems]).toEqual([]);
  });

  /** Statuses no operation can declare, with the reason; info.description documents them. */
  const NOT_PER_OPERATION: Partial<Record<ErrorStatus, string>> = {
    405: 'it answers a method a path does not have, so there is no operation to declare it on',
  };

  it('every status in TITLES is documented: declared by an operation, or in info.description', async () => {
    const api = await specApi();
    const declared = new Set(api.getOperations().flatMap((o) => Object.keys(o.responses ?? {}).map(Number)));
    const overview = (api.definition.info.description ?? '').replace(/\s+/g, ' ');
    const problems: string[] = [];
    for (const [status, title] of Object.entries(TITLES)) {
      const why = NOT_PER_OPERATION[Number(status) as ErrorStatus];
      if (why === undefined && !declared.has(Number(status))) {
        problems.push(`${status} ${title}: no operation declares it`);
      }
      if (why !== undefined && !overview.includes(`${status} (\`${title}\`)`)) {
        problems.push(`${status} ${title} (${why}): info.description does not say ${status} (\`${title}\`)`);
      }
    }
    if (!overview.includes(`"title": "${MALFORMED_JSON}"`)) {
      problems.push(`info.description does not give the title of a body that is not JSON ("title": "${MALFORMED_JSON}")`);
    }
    expect(problems).toEqual([]);
  });
});

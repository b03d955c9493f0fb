// The API document served by the server itself: the file it validates with, as YAML byte for
// byte and as the same document in JSON, public even in keystone mode, and usable as what it is
// (an SDK generator reads the JSON one).
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { SPEC_PATH } from '../../src/paths';
import { engineRows } from '../helpers/engines';
import { serverFor } from '../helpers/http';
import { unreachableKeystone } from '../helpers/keystone';

const SPEC_TEXT = readFileSync(SPEC_PATH, 'utf8');

describe.each(engineRows)('the API document on %s', (_name, engine) => {
  const server = serverFor(engine);
  /** keystone mode with no Keystone to ask: a request that needed a caller would be 401. */
  const keystone = serverFor(engine, { auth: unreachableKeystone() });

  it('serves /openapi.yaml as the file the server validates with, byte for byte', async () => {
    const res = await server.request('GET', '/openapi.yaml');
    expect([res.status, res.headers['content-type']]).toEqual([200, 'application/yaml']);
    expect(res.text).toBe(SPEC_TEXT);
  });

  it('serves /openapi.json as the same document', async () => {
    const res = await server.request('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual(parse(SPEC_TEXT));
    // Every operation the server routes is in it.
    const operationIds = Object.values((res.body as { paths: Record<string, Record<string, { operationId?: string }>> }).paths)
      .flatMap((item) => Object.values(item))
      .map((operation) => operation.operationId)
      .filter(Boolean);
    expect(operationIds).toEqual(expect.arrayContaining(['getOpenApiJson', 'getOpenApiYaml', 'listBackups', 'createJob']));
  });

  it('needs no credentials, in keystone mode too', async () => {
    for (const path of ['/openapi.json', '/openapi.yaml']) {
      const res = await keystone.request('GET', path);
      expect([path, res.status]).toEqual([path, 200]);
    }
  });

  it('answers an Accept that allows neither with 406, and HEAD without a body', async () => {
    const refused = await server.request('GET', '/openapi.json', { headers: { Accept: 'text/html' } });
    expect([refused.status, (refused.body as { title: string }).title]).toEqual([406, 'Not Acceptable']);
    const head = await server.request('HEAD', '/openapi.yaml');
    expect([head.status, head.text, head.headers['content-type']]).toEqual([200, '', 'application/yaml']);
  });
});

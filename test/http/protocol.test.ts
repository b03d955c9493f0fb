// HTTP behaviour shared by every operation: routing, bodies, media types and error bodies.
import { engineRows } from '../helpers/engines';
import { checkEach } from '../helpers/failures';
import { serverFor } from '../helpers/http';

const BACKUP = { backup_name: 'b', container: 'c', hostname: 'h' };

describe.each(engineRows)('protocol on %s', (_name, engine) => {
  const server = serverFor(engine, { bodyLimitBytes: 4096 });

  it('answers an unknown path with a JSON 404', async () => {
    const res = await server.request('GET', '/v2/proj/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ title: 'Not Found', description: 'No resource at GET /v2/proj/nothing-here' });
  });

  it.each([
    ['PUT', '/v2/p/backups', 'GET, POST, HEAD, OPTIONS'],
    ['PATCH', '/v1/backups/abc', 'GET, DELETE, HEAD, OPTIONS'],
    ['POST', '/v2/p/clients/abc', 'GET, DELETE, HEAD, OPTIONS'],
    ['TRACE', '/v2/p/clients', 'GET, POST, HEAD, OPTIONS'],
    ['DELETE', '/', 'GET, HEAD, OPTIONS'],
    ['GET', '/v2/p/jobs/j/event', 'POST, OPTIONS'],
  ])('answers %s %s with 405 and Allow: %s', async (method, path, allow) => {
    const res = await server.request(method, path);
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe(allow);
    expect(res.body).toMatchObject({ title: 'Method Not Allowed' });
  });

  it.each(['/v2/p/backups/%E0%A4%A', '/v1/jobs/%ZZ', '/v2/%C3/clients'])(
    'answers a path with broken percent-encoding (%s) with 400',
    async (path) => {
      await checkEach([{}, { Cookie: 'a=b' }] as Record<string, string>[], async (headers) => {
        const res = await server.request('GET', path, { headers });
        expect(res.status).toBe(400);
        expect((res.body as { description: string }).description).toMatch(
          /^path parameter "\w+" is not valid percent-encoded UTF-8$/,
        );
      });
    },
  );

  it('answers malformed JSON with 400 Malformed JSON', async () => {
    const res = await server.request('POST', '/v2/p/backups', {
      raw: '{"backup_name": ',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ title: 'Malformed JSON' });
  });

  it('answers a JSON scalar body with 400 Malformed JSON', async () => {
    const res = await server.request('POST', '/v2/p/backups', { raw: '"text"', headers: { 'Content-Type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ title: 'Malformed JSON' });
  });

  it('answers a body over the configured limit with 413, and stores nothing', async () => {
    const user = { 'X-User-Id': 'big' };
    const res = await server.request('POST', '/v2/p/backups', { json: { ...BACKUP, pad: 'x'.repeat(5000) }, headers: user });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ title: 'Payload Too Large', description: 'The request body exceeds the limit of 4096 bytes.' });
    expect((await server.request('GET', '/v2/p/backups', { headers: user })).body).toEqual({ backups: [] });
  });

  it('refuses bodies nested deeper than 30 levels with 400 (they used to overflow the stack)', async () => {
    const nested = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    const body = (depth: number) => `{"freezer_action": ${nested(depth)}}`;
    const deep = await server.request('POST', '/v2/p/actions', {
      raw: body(500),
      headers: { 'Content-Type': 'application/json' },
    });
    expect(deep.status).toBe(400);
    expect(deep.body).toEqual({
      title: 'Bad Request',
      description: 'The request body nests objects or arrays deeper than 30 levels.',
    });
    const fine = await server.request('POST', '/v2/p/actions', {
      raw: body(28),
      headers: { 'Content-Type': 'application/json' },
    });
    expect(fine.status).toBe(201);
  });

  it('refuses a number beyond a double with 400, which would have been stored as null (fuzzing found it)', async () => {
    const user = { 'X-User-Id': 'huge' };
    for (const raw of [
      '{"schedule": {"time_started": 1e400}}',
      '{"schedule": {}, "hold_off": -1e999}',
      '{"schedule": {}, "extra": [1, {"x": 2e308}]}',
    ]) {
      const res = await server.request('POST', '/v2/p/sessions', {
        raw,
        headers: { ...user, 'Content-Type': 'application/json' },
      });
      expect([raw, res.status, res.body]).toEqual([
        raw,
        400,
        { title: 'Bad Request', description: 'The request body holds a number too large to represent (beyond ±1.8e308).' },
      ]);
    }
    expect((await server.request('GET', '/v2/p/sessions', { headers: user })).body).toEqual({ sessions: [] });
  });

  it('ignores a body sent to an operation that takes none', async () => {
    const res = await server.request('GET', '/v2/p/backups/nope', {
      raw: 'not json at all',
      headers: { 'Content-Type': 'text/plain' },
    });
    expect(res.status).toBe(404);
    const del = await server.request('DELETE', '/v2/p/backups/nope', {
      raw: 'x'.repeat(10000),
      headers: { 'Content-Type': 'application/json' },
    });
    expect(del.status).toBe(204);
  });

  it('refuses an X-User-Name longer than 255 characters', async () => {
    const res = await server.request('POST', '/v2/p/backups', { json: BACKUP, headers: { 'X-User-Name': 'n'.repeat(256) } });
    expect(res.status).toBe(400);
  });

  it('reads a body sent without Content-Type as JSON', async () => {
    const res = await server.request('POST', '/v2/p/backups', { raw: JSON.stringify(BACKUP) });
    expect(res.status).toBe(201);
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'application/xml'])('answers a %s body with 415', async (type) => {
    const res = await server.request('POST', '/v2/p/backups', { raw: JSON.stringify(BACKUP), headers: { 'Content-Type': type } });
    expect(res.status).toBe(415);
    expect(res.body).toEqual({
      title: 'Unsupported Media Type',
      description: `Request bodies must be application/json, not ${type}.`,
    });
  });

  it('answers 415 naming both media types where PATCH takes a merge patch, and for a merge patch elsewhere', async () => {
    const patch = await server.request('PATCH', '/v2/p/actions/some-action', {
      raw: '{}',
      headers: { 'Content-Type': 'application/json-patch+json' },
    });
    expect(patch.status).toBe(415);
    expect(patch.body).toEqual({
      title: 'Unsupported Media Type',
      description: 'Request bodies must be application/json or application/merge-patch+json, not application/json-patch+json.',
    });
    const post = await server.request('POST', '/v2/p/actions', {
      raw: JSON.stringify({ freezer_action: {} }),
      headers: { 'Content-Type': 'application/merge-patch+json' },
    });
    expect(post.status).toBe(415);
    expect(post.body).toEqual({
      title: 'Unsupported Media Type',
      description: 'Request bodies must be application/json, not application/merge-patch+json.',
    });
  });

  it('reads a merge patch with a charset parameter, and validates it as one', async () => {
    const { action_id } = (
      await server.request('POST', '/v2/p/actions', { json: { freezer_action: { action: 'info' }, mandatory: true } })
    ).body as { action_id: string };
    const url = `/v2/p/actions/${action_id}`;
    const headers = { 'Content-Type': 'application/merge-patch+json; charset=utf-8' };
    expect((await server.request('PATCH', url, { json: { mandatory: null }, headers })).status).toBe(200);
    expect((await server.request('GET', url)).body).not.toHaveProperty('mandatory');
    const bad = await server.request('PATCH', url, { json: { mandatory: 'yes' }, headers });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ title: 'Bad Request', description: 'body field "mandatory" must be boolean' });
    const malformed = await server.request('PATCH', url, { raw: '{"mandatory": nul', headers });
    expect(malformed.status).toBe(400);
  });

  it('accepts JSON with a charset parameter', async () => {
    const res = await server.request('POST', '/v2/p/backups', {
      json: BACKUP,
      headers: { 'Content-Type': 'application/json; charset=UTF-8' },
    });
    expect(res.status).toBe(201);
  });

  it('accepts a JSON body on GET list requests, as the real clients send their search', async () => {
    const user = { 'X-User-Id': 'searcher' };
    await server.request('POST', '/v2/p/backups', { json: { ...BACKUP, backup_name: 'wanted' }, headers: user });
    await server.request('POST', '/v2/p/backups', { json: { ...BACKUP, backup_name: 'other' }, headers: user });
    const res = await server.request('GET', '/v2/p/backups/?limit=10&offset=0', {
      json: { match: [{ backup_name: 'wanted' }] },
      headers: user,
    });
    expect(res.status).toBe(200);
    expect((res.body as { backups: { backup_metadata: object }[] }).backups.map((b) => b.backup_metadata)).toEqual([
      { ...BACKUP, backup_name: 'wanted' },
    ]);
  });

  it('accepts trailing slashes on every path', async () => {
    await checkEach(['/v2/p/backups/', '/v2/p/clients/', '/v1/backups/', '/v1/clients/', '/v1/', '/v2/'], async (path) => {
      expect((await server.request('GET', path)).status).toBe(200);
    });
  });

  it.each([
    ['text/html', 406],
    ['application/xml, text/plain', 406],
    ['application/json', 200],
    ['*/*', 200],
    ['application/*;q=0.5, text/html', 200],
  ])('answers Accept: %s with %d', async (accept, status) => {
    const res = await server.request('GET', '/v1/backups', { headers: { Accept: accept } });
    expect(res.status).toBe(status);
    if (status === 406) {
      expect(res.body).toEqual({
        title: 'Not Acceptable',
        description: 'This operation answers with application/json, which the Accept header does not allow.',
      });
    }
  });

  it('sends JSON-home documents to clients that accept JSON or JSON home', async () => {
    await checkEach(['application/json', 'application/json-home'], async (accept) => {
      const res = await server.request('GET', '/v2', { headers: { Accept: accept } });
      expect(res.status).toBe(200);
    });
    expect((await server.request('GET', '/v2', { headers: { Accept: 'text/html' } })).status).toBe(406);
  });
});

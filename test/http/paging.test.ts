// Paging every list, v1 and v2, on every engine: limit/offset and keyset paging with `marker`.
import { engineRows } from '../helpers/engines';
import { checkEach } from '../helpers/failures';
import { serverFor, VERSIONS } from '../helpers/http';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const STEP = { freezer_action: { action: 'backup', mode: 'fs' } };
const ITEMS = 7;

/** How to create one item of each list; every creation answers with the new item's id. */
const LISTS: { list: string; idKey: string; body: (i: number) => Doc }[] = [
  {
    list: 'backups',
    idKey: 'backup_id',
    body: (i) => ({ backup_name: `b${i}`, container: 'c', hostname: i % 2 ? 'odd' : 'even', time_stamp: i }),
  },
  { list: 'clients', idKey: 'client_id', body: (i) => ({ client_id: `p_node${i}`, hostname: i % 2 ? 'odd' : 'even' }) },
  {
    list: 'jobs',
    idKey: 'job_id',
    body: (i) => ({ client_id: 'p_node0', description: i % 2 ? 'odd' : 'even', job_actions: [STEP] }),
  },
  { list: 'actions', idKey: 'action_id', body: (i) => ({ ...STEP, max_retries: i % 2 ? 1 : 2 }) },
  { list: 'sessions', idKey: 'session_id', body: (i) => ({ schedule: {}, description: i % 2 ? 'odd' : 'even' }) },
];

describe.each(engineRows)('paging on %s', (_name, engine) => {
  // Bound to the user in both versions (FREEZER_API_SCOPE=user, the 13.x–18.x rule), so that each
  // test's user sees only its own; test/http/project-scope.test.ts covers the default.
  const server = serverFor(engine, { scope: 'user' });

  describe.each(VERSIONS)('%s', (version, prefix) => {
    describe.each(LISTS)('$list', ({ list, idKey, body }) => {
      const headers = { 'X-User-Id': `pager-${version}-${list}` };
      const ids: string[] = [];
      const page = async (query: string, search?: Doc) => {
        const res = await server.request('GET', `${prefix}/${list}?${query}`, { headers, json: search });
        expect(res.status).toBe(200);
        // A clients list item nests the registration: { client: { client_id, … }, user_id, … }.
        return ((res.body as Doc)[list] as Doc[]).map((item) => (list === 'clients' ? item.client : item)[idKey] as string);
      };

      beforeAll(async () => {
        // Jobs need their client registered; the clients list itself gets p_node0 as its first item.
        if (list === 'jobs') await server.request('POST', `${prefix}/clients`, { json: { client_id: 'p_node0' }, headers });
        for (let i = 0; i < ITEMS; i++) {
          const res = await server.request('POST', `${prefix}/${list}`, { json: body(i), headers });
          expect(res.status).toBe(201);
          ids.push((res.body as Doc)[idKey] as string);
        }
        // Someone else's items must never appear in, or be usable as markers for, this user's pages.
        await server.request('POST', `${prefix}/clients`, {
          json: { client_id: 'p_node0' },
          headers: { 'X-User-Id': 'stranger' },
        });
      });

      it('walks the list with marker exactly as with offset', async () => {
        const byOffset: string[] = [];
        for (let offset = 0; offset < ITEMS; offset += 3) byOffset.push(...(await page(`limit=3&offset=${offset}`)));
        expect(byOffset).toEqual(ids);
        const byMarker: string[] = [];
        let next = await page('limit=3');
        while (next.length) {
          byMarker.push(...next);
          next = await page(`limit=3&marker=${encodeURIComponent(next[next.length - 1]!)}`);
        }
        expect(byMarker).toEqual(ids);
      });

      it('applies offset after the marker', async () => {
        expect(await page(`limit=2&offset=1&marker=${ids[1]}`)).toEqual([ids[3], ids[4]]);
      });

      it('filters by search before paging after the marker', async () => {
        const search =
          list === 'backups' || list === 'clients'
            ? { match: [{ hostname: 'even' }] }
            : list === 'actions'
              ? { match: [{ max_retries: 2 }] }
              : { match: [{ description: 'even' }] };
        expect(await page(`limit=10&marker=${ids[2]}`, search)).toEqual([ids[4], ids[6]]);
      });

      it("answers 400 to a marker that is not one of the caller's items", async () => {
        await checkEach(['no-such-id', 'p_node0'], async (marker) => {
          const res = await server.request('GET', `${prefix}/${list}?marker=${marker}`, { headers: { 'X-User-Id': 'stranger' } });
          if (list === 'clients' && marker === 'p_node0') {
            expect(res.status).toBe(200); // the stranger's own client
            return;
          }
          expect(res.status).toBe(400);
          expect(res.body).toEqual({
            title: 'Bad Request',
            description: `marker "${marker}" is not the id of one of your items in this list`,
          });
        });
      });
    });
  });
});

// Reads are prepared statements on MySQL/MariaDB. The server's room for them
// (max_prepared_stmt_count) is shared by every client; when it is full, reads still answer.
// Needs an account that may set that global: FREEZER_TEST_MYSQL_ADMIN_URL (.ci/run sets root).
import knex, { type Knex } from 'knex';
import { knexConfig } from '../../knexfile';
import { ENGINES } from '../helpers/engines';
import { checkEach } from '../helpers/failures';
import { startTestServer, type TestServer } from '../helpers/http';

const mysql = ENGINES.find((engine) => engine.name === 'mysql');
const ADMIN_URL = process.env.FREEZER_TEST_MYSQL_ADMIN_URL;

(mysql ? describe : describe.skip)('reads on mysql when the server has no room for prepared statements', () => {
  let server: TestServer;
  let admin: Knex;
  const headers = { 'X-User-Id': 'prepared-reader' };

  beforeAll(async () => {
    if (!ADMIN_URL)
      throw new Error('FREEZER_TEST_MYSQL_ADMIN_URL must name an account that may SET GLOBAL max_prepared_stmt_count');
    admin = knex(knexConfig(ADMIN_URL));
    server = await startTestServer(mysql!);
  });
  afterAll(async () => {
    await server?.close();
    await admin?.destroy();
  });

  it('answers gets, lists and new search shapes unprepared, with the same results', async () => {
    const created = await server.request('POST', '/v2/p/backups', {
      json: { backup_name: 'b', container: 'c', hostname: 'h', level: 3 },
      headers,
    });
    const backupId = (created.body as { backup_id: string }).backup_id;
    const [[{ limit }]] = (await admin.raw('SELECT @@GLOBAL.max_prepared_stmt_count AS `limit`')) as [[{ limit: number }]];
    await admin.raw('SET GLOBAL max_prepared_stmt_count = 0');
    try {
      const got = await server.request('GET', `/v2/p/backups/${backupId}`, { headers });
      expect(got.status).toBe(200);
      expect((got.body as { backup_metadata: unknown }).backup_metadata).toEqual({
        backup_name: 'b',
        container: 'c',
        hostname: 'h',
        level: 3,
      });
      // Shapes no connection has prepared before (and with the limit at 0, none can be).
      await checkEach([{ match: [{ level: 3 }] }, { match: [{ container: 'c' }], match_not: [{ level: 4 }] }], async (search) => {
        const listed = await server.request('GET', `/v2/p/backups?limit=5&search=${encodeURIComponent(JSON.stringify(search))}`, {
          headers,
        });
        expect(listed.status).toBe(200);
        expect((listed.body as { backups: { backup_id: string }[] }).backups.map((b) => b.backup_id)).toEqual([backupId]);
      });
    } finally {
      await admin.raw('SET GLOBAL max_prepared_stmt_count = ?', [limit]);
    }
  });
});

// The limit our GET by id is measured against: bare Koa answering the same request with one
// mysql2 primary-key query and JSON.stringify, no validation, no routing library, no Knex. It
// gets what the server gets: a pool of the same size and prepared statements.
import Koa from 'koa';
import mysql from 'mysql2/promise';
import { DEFAULT_MYSQL_POOL_SIZE } from '../knexfile';

const [, , port = '9291', url = ''] = process.argv;
const pool = mysql.createPool({ uri: url, connectionLimit: DEFAULT_MYSQL_POOL_SIZE, supportBigNumbers: true });
const app = new Koa();
app.use(async (ctx) => {
  const match = /^\/v2\/([^/]+)\/backups\/([^/]+)$/.exec(ctx.path);
  if (!match) {
    ctx.status = 404;
    return;
  }
  const [rows] = await pool.execute<mysql.RowDataPacket[]>(
    'SELECT backup_id, user_id, project_id, user_name, backup_metadata FROM backups WHERE backup_id = ? AND user_id = ? AND project_id = ?',
    [match[2]!, ctx.get('x-user-id') || 'default-user', match[1]!],
  );
  const row = rows[0];
  if (!row) {
    ctx.status = 404;
    return;
  }
  ctx.body = { ...row, backup_metadata: JSON.parse(row.backup_metadata as string) };
});
app.listen(Number(port), '127.0.0.1', () => console.log(`bare koa listening on ${port}`));

// The limit our GET by id is measured against: bare Koa answering the same request with one
// mysql2 primary-key query and JSON.stringify, no validation, no routing library, no Knex. It
// gets what the server gets: a pool of the same size and prepared statements. It also answers
// the first page of the backups list the same bare way, as a reference for ours.
import Koa from 'koa';
import mysql from 'mysql2/promise';
import { DEFAULT_MYSQL_POOL_SIZE } from '../knexfile';

const [, , port = '9291', url = ''] = process.argv;
const pool = mysql.createPool({ uri: url, connectionLimit: DEFAULT_MYSQL_POOL_SIZE, supportBigNumbers: true });
const app = new Koa();
const COLUMNS = 'backup_id, user_id, project_id, user_name, backup_metadata';
const toBackup = (row: mysql.RowDataPacket) => ({ ...row, backup_metadata: JSON.parse(row.backup_metadata as string) });

app.use(async (ctx) => {
  const user = ctx.get('x-user-id') || 'default-user';
  const one = /^\/v2\/([^/]+)\/backups\/([^/]+)$/.exec(ctx.path);
  if (one) {
    const [rows] = await pool.execute<mysql.RowDataPacket[]>(
      `SELECT ${COLUMNS} FROM backups WHERE backup_id = ? AND user_id = ? AND project_id = ?`,
      [one[2]!, user, one[1]!],
    );
    if (rows[0]) ctx.body = toBackup(rows[0]);
    else ctx.status = 404;
    return;
  }
  // The first page of a list (?limit=N), for comparison with ours.
  const list = /^\/v2\/([^/]+)\/backups$/.exec(ctx.path);
  if (list) {
    const [rows] = await pool.execute<mysql.RowDataPacket[]>(
      `SELECT ${COLUMNS} FROM backups WHERE user_id = ? AND project_id = ? ORDER BY seq LIMIT ?`,
      [user, list[1]!, Number(ctx.query.limit ?? 10)],
    );
    ctx.body = { backups: rows.map(toBackup) };
    return;
  }
  ctx.status = 404;
});
app.listen(Number(port), '127.0.0.1', () => console.log(`bare koa listening on ${port}`));

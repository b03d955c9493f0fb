// Migrations run up, down and up again on every engine, keeping what they should.
import knex, { type Knex } from 'knex';
import { knexConfig } from '../../knexfile';
import { migrateToLatest, migrationStatus, rollbackAll } from '../../src/db/migrate';
import { engineRows } from '../helpers/engines';

const TABLES = ['backups', 'clients', 'jobs', 'actions', 'sessions'];

describe.each(engineRows)('migrations on %s', (_name, engine) => {
  let db: Knex;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const database = await engine.create();
    drop = database.drop;
    db = knex(knexConfig(database.url));
  });
  afterAll(async () => {
    await db.destroy();
    await drop();
  });

  const existing = async () => {
    const found: string[] = [];
    for (const table of TABLES) if (await db.schema.hasTable(table)) found.push(table);
    return found;
  };

  it('go up, down and up again', async () => {
    await migrateToLatest(db);
    expect(await existing()).toEqual(TABLES);
    const [, pending] = (await migrationStatus(db)) as [unknown[], unknown[]];
    expect(pending).toEqual([]);

    await db('clients').insert({ user_id: 'u', project_id: '', client_id: 'c', uuid: 'x', client: '{}' });
    await rollbackAll(db);
    expect(await existing()).toEqual([]);

    await migrateToLatest(db);
    expect(await existing()).toEqual(TABLES);
    expect(await db('clients').count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  it('is a no-op when already up to date', async () => {
    await migrateToLatest(db);
    const [, applied] = (await migrateToLatest(db)) as [number, string[]];
    expect(applied).toEqual([]);
  });

  it('enforces one registration per client_id and owner', async () => {
    const row = { user_id: 'u', project_id: 'p', client_id: 'same', uuid: 'x', client: '{}' };
    await db('clients').insert(row);
    await expect(db('clients').insert(row)).rejects.toMatchObject({
      code: expect.stringMatching(/^(ER_DUP_ENTRY|SQLITE_CONSTRAINT_UNIQUE)$/),
    });
    await db('clients').insert({ ...row, user_id: 'other' });
  });
});

// `npm run migrate [latest|rollback|status]`: the same migrations the server runs at start.
import knex from 'knex';
import { knexConfig } from '../../knexfile';
import { loadConfig } from '../config';
import { migrateToLatest, migrationStatus, rollbackAll } from '../db/migrate';

async function run(command: string): Promise<void> {
  const config = loadConfig([]);
  const db = knex(knexConfig(config.databaseUrl));
  try {
    if (command === 'latest') {
      const [, names] = (await migrateToLatest(db)) as [number, string[]];
      console.log(names.length ? `applied: ${names.join(', ')}` : 'already up to date');
    } else if (command === 'rollback') {
      const [, names] = (await rollbackAll(db)) as [number, string[]];
      console.log(names.length ? `rolled back: ${names.join(', ')}` : 'nothing to roll back');
    } else if (command === 'status') {
      const [done, pending] = (await migrationStatus(db)) as [{ name: string }[], string[]];
      console.log(`applied: ${done.map((m) => m.name).join(', ') || '(none)'}`);
      console.log(`pending: ${pending.join(', ') || '(none)'}`);
    } else {
      throw new Error(`unknown command "${command}" (latest, rollback or status)`);
    }
  } finally {
    await db.destroy();
  }
}

run(process.argv[2] ?? 'latest').catch((err: unknown) => {
  console.error(`migrate: ${(err as Error).message}`);
  process.exit(1);
});

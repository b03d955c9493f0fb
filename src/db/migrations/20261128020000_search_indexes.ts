// Indexes for the backup fields clients search on (the scheduler's job_id, the CLI's names), so a
// filtered list reads only the rows it returns, in list order.
import type { Knex } from 'knex';

const INDEXES: [string, string][] = [
  ['job_id', 'backups_owner_job_seq'],
  ['backup_name', 'backups_owner_name_seq'],
  ['hostname', 'backups_owner_host_seq'],
];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('backups', (t) => {
    for (const [column, name] of INDEXES) t.index(['user_id', 'project_id', column, 'seq'], name);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('backups', (t) => {
    for (const [, name] of INDEXES) t.dropIndex([], name);
  });
}

// Backups and registered clients. Documents are stored whole as JSON; the fields lists and
// searches filter on are copied into indexed columns.
import type { Knex } from 'knex';
import { exactMatchTables } from '../schema';

export async function up(knex: Knex): Promise<void> {
  const exactMatch = await exactMatchTables(knex);
  await knex.schema.createTable('backups', (t) => {
    exactMatch(t);
    // seq orders lists (oldest first) and keeps InnoDB's clustered index append-only.
    t.bigIncrements('seq').primary();
    t.string('backup_id', 36).notNullable().unique();
    t.string('user_id', 64).notNullable();
    t.string('project_id', 64).notNullable(); // '' for v1 uploads without a project
    t.string('user_name', 255).nullable();
    t.string('job_id', 64).nullable();
    t.string('backup_name', 255).notNullable();
    t.string('container', 255).notNullable();
    t.string('hostname', 255).nullable(); // v1 uploads may say host_name instead
    t.bigInteger('time_stamp').nullable();
    t.text('backup_metadata', 'mediumtext').notNullable(); // as posted, up to the body limit
    t.index(['user_id', 'project_id', 'seq'], 'backups_owner_seq');
  });
  await knex.schema.createTable('clients', (t) => {
    exactMatch(t);
    t.bigIncrements('seq').primary();
    t.string('user_id', 64).notNullable();
    t.string('project_id', 64).notNullable();
    t.string('client_id', 255).notNullable();
    t.string('uuid', 64).notNullable();
    t.text('client', 'mediumtext').notNullable(); // the registration as posted, defaults filled in
    t.unique(['user_id', 'project_id', 'client_id'], { indexName: 'clients_owner_client_id' });
    t.index(['user_id', 'project_id', 'seq'], 'clients_owner_seq');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('clients');
  await knex.schema.dropTable('backups');
}

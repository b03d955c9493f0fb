// Jobs, actions and sessions: versioned documents stored whole as JSON, with the fields lists and
// searches filter on (the scheduler's poll above all) copied into indexed columns.
import type { Knex } from 'knex';
import { exactMatchTables } from '../schema';

export async function up(knex: Knex): Promise<void> {
  const exactMatch = await exactMatchTables(knex);
  const documentTable = (name: string, id: string, extra: (t: Knex.CreateTableBuilder) => void) =>
    knex.schema.createTable(name, (t) => {
      exactMatch(t);
      t.bigIncrements('seq').primary(); // list order: oldest first
      t.string(id, 64).notNullable();
      t.string('user_id', 64).notNullable();
      t.string('project_id', 64).notNullable(); // '' for v1 requests without a project
      t.integer('version').notNullable(); // optimistic concurrency: 1 on create, +1 per write
      t.text('doc', 'mediumtext').notNullable(); // the document, without the columns above
      extra(t);
      // Ids are the owner's: two users may each have a job called "nightly".
      t.unique(['user_id', 'project_id', id], { indexName: `${name}_owner_id` });
      t.index(['user_id', 'project_id', 'seq'], `${name}_owner_seq`);
    });

  await documentTable('jobs', 'job_id', (t) => {
    t.string('client_id', 255).notNullable();
    t.string('session_id', 64).notNullable();
    t.string('status', 32).nullable(); // job_schedule.status
    t.index(['user_id', 'project_id', 'client_id', 'seq'], 'jobs_owner_client_seq'); // the scheduler's poll
    t.index(['user_id', 'project_id', 'session_id'], 'jobs_owner_session');
  });
  await documentTable('actions', 'action_id', () => {});
  await documentTable('sessions', 'session_id', (t) => {
    t.string('status', 32).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('sessions');
  await knex.schema.dropTable('actions');
  await knex.schema.dropTable('jobs');
}

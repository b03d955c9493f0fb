// The Keystone trust a job's `user_credentials` names, copied into an indexed column so that
// deleting a job can ask cheaply whether any other job still uses its trust.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('jobs', (t) => {
    t.string('trust_id', 64).nullable(); // user_credentials.trust_id; null for jobs without a trust
    t.index(['trust_id'], 'jobs_trust');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('jobs', (t) => {
    t.dropIndex([], 'jobs_trust');
    t.dropColumn('trust_id');
  });
}

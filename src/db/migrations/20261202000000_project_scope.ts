// Current upstream's model: resources belong to their project (a user-bound scope stays possible),
// ids name one resource in the whole service, clients may be central, backups have a status.
//   - jobs, actions, sessions: unique by id alone. Ids that several owners had each used are kept
//     by the oldest document; the others get new ids, and the references their owner's other
//     documents make to them follow (a job's steps and session, a session's jobs, a backup's job).
//   - every owner index becomes a project index (project_id first), with one (project_id, user_id,
//     seq) index per table for user-bound lists.
//   - clients: `is_central`, and an index on client_id (central ids are unique service-wide);
//     jobs: an index on client_id (a central scheduler polls its jobs in every project).
//   - backups: `status` (creating|available|error|deleting|deleted), out of the metadata.
import type { Knex } from 'knex';
import { newId } from '../ids';

type Row = Record<string, string | number | null>;
type Doc = Record<string, unknown>;

const DOCUMENT_TABLES = [
  { table: 'jobs', id: 'job_id' },
  { table: 'actions', id: 'action_id' },
  { table: 'sessions', id: 'session_id' },
] as const;

/** Index changes: [table, old name, old columns, new name, new columns]. */
const REINDEX: [string, string, string[], string, string[]][] = [
  ['backups', 'backups_owner_seq', ['user_id', 'project_id', 'seq'], 'backups_project_seq', ['project_id', 'seq']],
  [
    'backups',
    'backups_owner_job_seq',
    ['user_id', 'project_id', 'job_id', 'seq'],
    'backups_project_job_seq',
    ['project_id', 'job_id', 'seq'],
  ],
  [
    'backups',
    'backups_owner_name_seq',
    ['user_id', 'project_id', 'backup_name', 'seq'],
    'backups_project_name_seq',
    ['project_id', 'backup_name', 'seq'],
  ],
  [
    'backups',
    'backups_owner_host_seq',
    ['user_id', 'project_id', 'hostname', 'seq'],
    'backups_project_host_seq',
    ['project_id', 'hostname', 'seq'],
  ],
  ['clients', 'clients_owner_seq', ['user_id', 'project_id', 'seq'], 'clients_project_seq', ['project_id', 'seq']],
  ['jobs', 'jobs_owner_seq', ['user_id', 'project_id', 'seq'], 'jobs_project_seq', ['project_id', 'seq']],
  [
    'jobs',
    'jobs_owner_client_seq',
    ['user_id', 'project_id', 'client_id', 'seq'],
    'jobs_project_client_seq',
    ['project_id', 'client_id', 'seq'],
  ],
  ['jobs', 'jobs_owner_session', ['user_id', 'project_id', 'session_id'], 'jobs_project_session', ['project_id', 'session_id']],
  ['actions', 'actions_owner_seq', ['user_id', 'project_id', 'seq'], 'actions_project_seq', ['project_id', 'seq']],
  ['sessions', 'sessions_owner_seq', ['user_id', 'project_id', 'seq'], 'sessions_project_seq', ['project_id', 'seq']],
];

const USER_BOUND = ['backups', 'clients', 'jobs', 'actions', 'sessions'];

export async function up(knex: Knex): Promise<void> {
  await knex.transaction(async (trx) => {
    for (const { table, id } of DOCUMENT_TABLES) await renameSharedIds(trx, table, id);
  });
  for (const { table, id } of DOCUMENT_TABLES) {
    await knex.schema.alterTable(table, (t) => {
      t.dropUnique([], `${table}_owner_id`);
      t.unique([id], { indexName: `${table}_id` });
    });
  }
  await knex.schema.alterTable('clients', (t) => {
    t.dropUnique([], 'clients_owner_client_id');
    t.unique(['project_id', 'client_id', 'user_id'], { indexName: 'clients_project_client_id' });
    t.boolean('is_central').notNullable().defaultTo(false);
    t.index(['client_id'], 'clients_client_id');
  });
  await knex.schema.alterTable('backups', (t) => {
    t.string('status', 32).notNullable().defaultTo('available');
  });
  for (const table of USER_BOUND) {
    await knex.schema.alterTable(table, (t) => {
      for (const [of, oldName, , newName, columns] of REINDEX) {
        if (of !== table) continue;
        t.dropIndex([], oldName);
        t.index(columns, newName);
      }
      t.index(['project_id', 'user_id', 'seq'], `${table}_project_user_seq`);
    });
  }
  await knex.schema.alterTable('backups', (t) => {
    t.index(['project_id', 'status', 'seq'], 'backups_project_status_seq');
  });
  // A central scheduler polls its client's jobs in every project.
  await knex.schema.alterTable('jobs', (t) => {
    t.index(['client_id', 'seq'], 'jobs_client_seq');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('jobs', (t) => {
    t.dropIndex([], 'jobs_client_seq');
  });
  await knex.schema.alterTable('backups', (t) => {
    t.dropIndex([], 'backups_project_status_seq');
  });
  for (const table of USER_BOUND) {
    await knex.schema.alterTable(table, (t) => {
      t.dropIndex([], `${table}_project_user_seq`);
      for (const [of, oldName, columns, newName] of REINDEX) {
        if (of !== table) continue;
        t.dropIndex([], newName);
        t.index(columns, oldName);
      }
    });
  }
  await knex.schema.alterTable('backups', (t) => {
    t.dropColumn('status');
  });
  await knex.schema.alterTable('clients', (t) => {
    t.dropIndex([], 'clients_client_id');
    t.dropColumn('is_central');
    t.dropUnique([], 'clients_project_client_id');
    t.unique(['user_id', 'project_id', 'client_id'], { indexName: 'clients_owner_client_id' });
  });
  // Renamed ids stay renamed: the old ones named several documents.
  for (const { table, id } of DOCUMENT_TABLES) {
    await knex.schema.alterTable(table, (t) => {
      t.dropUnique([], `${table}_id`);
      t.unique(['user_id', 'project_id', id], { indexName: `${table}_owner_id` });
    });
  }
}

/** Gives every document but the oldest of each id shared by several owners a new id. */
async function renameSharedIds(trx: Knex.Transaction, table: string, idColumn: string): Promise<void> {
  const shared: Row[] = await trx(table).select(idColumn).groupBy(idColumn).havingRaw('COUNT(*) > 1');
  for (const { [idColumn]: id } of shared) {
    const rows: Row[] = await trx(table).where(idColumn, id).orderBy('seq').select('seq', 'user_id', 'project_id');
    for (const row of rows.slice(1)) {
      const renamed = newId();
      await trx(table)
        .where('seq', row.seq)
        .update({ [idColumn]: renamed });
      await followRename(trx, table, { user_id: row.user_id!, project_id: row.project_id! }, String(id), renamed);
      console.warn(
        `migration: ${table} ${String(id)} of user ${String(row.user_id)} in project ${String(row.project_id) || '(none)'} ` +
          `is now ${renamed}: another owner's document had the same id`,
      );
    }
  }
}

/** Points the owner's references to `from` (a job, action or session id) at `to`. */
async function followRename(trx: Knex.Transaction, table: string, owner: Row, from: string, to: string): Promise<void> {
  const rewrite = async (target: string, column: string, change: (doc: Doc) => boolean, extra: () => Row = () => ({})) => {
    const rows: Row[] = await trx(target).where(owner).select('seq', column);
    for (const row of rows) {
      const doc = JSON.parse(String(row[column])) as Doc;
      if (change(doc))
        await trx(target)
          .where('seq', row.seq)
          .update({ [column]: JSON.stringify(doc), ...extra() });
    }
  };
  if (table === 'actions') {
    await rewrite('jobs', 'doc', (doc) => {
      const steps = Array.isArray(doc.job_actions) ? (doc.job_actions as Doc[]) : [];
      const hits = steps.filter((step) => step.action_id === from);
      for (const step of hits) step.action_id = to;
      return hits.length > 0;
    });
  } else if (table === 'sessions') {
    await rewrite(
      'jobs',
      'doc',
      (doc) => doc.session_id === from && Boolean((doc.session_id = to)),
      () => ({ session_id: to }),
    );
  } else {
    await rewrite('sessions', 'doc', (doc) => {
      const jobs = doc.jobs as Doc | undefined;
      if (!jobs || !Object.hasOwn(jobs, from)) return false;
      doc.jobs = Object.fromEntries(Object.entries(jobs).map(([key, value]) => [key === from ? to : key, value]));
      return true;
    });
    await rewrite(
      'backups',
      'backup_metadata',
      (doc) => doc.job_id === from && Boolean((doc.job_id = to)),
      () => ({ job_id: to }),
    );
  }
}

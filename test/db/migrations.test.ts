// Migrations on every engine. Each one, applied to a database that holds rows as the server stored
// them before it, keeps those rows (or rewrites them as its step says), leaves the schema exactly
// as STEPS says, and takes rows as the server stores them after it; rolled back, it leaves the
// schema as it found it and the rows as they were (or as its step says).
// The whole set also goes up, down and up again.
import knex, { type Knex } from 'knex';
import { knexConfig } from '../../knexfile';
import {
  MIGRATION_NAMES,
  migrateTo,
  migrateToLatest,
  migrationStatus,
  rollbackAll,
  rollbackMigration,
} from '../../src/db/migrate';
import path from 'node:path';
import { openDatabase } from '../../src/db/connect';
import { engineRows } from '../helpers/engines';
import { checkEach } from '../helpers/failures';
import { tempDir } from '../helpers/temp-dir';
import { readSchema, type TableSchema } from '../helpers/schema';
import { SEED_BACKUP } from '../helpers/fixtures';

type Row = Record<string, string | number | null>;
type Schema = Record<string, TableSchema>;

// Owners as Keystone names them (32 hex digits); v1 requests store the project as ''.
const ALICE = '9f2b6c1e4d8a4b0c9e7f1a2b3c4d5e6f';
const BOB = '0a1b2c3d4e5f40718293a4b5c6d7e8f9';
const PROJECT = 'c0ffee00c0ffee00c0ffee00c0ffee01';
const CLIENT = `${PROJECT}_node1`;
const JOB = '1f0e2d3c4b5a49687f6e5d4c3b2a1908';
const SESSION_JOB = '2a3b4c5d6e7f40819a0b1c2d3e4f5061';
const SESSION = '5e6f708192a34b5c8d9e0f1a2b3c4d5e';
const ACTION = '7c8d9e0fa1b24c3d9e8f7a6b5c4d3e2f';

const STEP_ACTION = {
  action: 'backup',
  mode: 'fs',
  backup_name: 'etc_nightly',
  path_to_backup: '/etc',
  container: 'freezer_etc',
  storage: 'swift',
  engine_name: 'tar',
  compression: 'gzip',
};

/** A backup row as BackupsRepo.insertMany writes it: the upload whole, its searched fields copied. */
function backup(
  backupId: string,
  userId: string,
  projectId: string,
  userName: string | null,
  metadata: Record<string, unknown>,
): Row {
  const time = metadata.time_stamp ?? metadata.timestamp;
  return {
    backup_id: backupId,
    user_id: userId,
    project_id: projectId,
    user_name: userName,
    job_id: (metadata.job_id as string | undefined) ?? null,
    backup_name: metadata.backup_name as string,
    container: metadata.container as string,
    hostname: (metadata.hostname as string | undefined) ?? null,
    time_stamp: Number.isSafeInteger(time) ? (time as number) : null,
    backup_metadata: JSON.stringify(metadata),
  };
}

/** What a client supports when its registration does not say (ClientsRepo's defaults). */
const ALL_CAPABILITIES = {
  supported_actions: ['backup', 'restore', 'info', 'admin', 'exec'],
  supported_modes: ['fs', 'mongo', 'mysql', 'sqlserver', 'cinder', 'glance', 'cindernative', 'nova'],
  supported_storages: ['local', 'swift', 'ssh', 's3', 'ftp', 'ftps'],
  supported_engines: ['tar', 'rsync', 'rsyncv2', 'nova', 'osbrick', 'glance'],
};

/** A client row as ClientsRepo.insert writes it: the registration with defaults and uuid filled in. */
function client(userId: string, projectId: string, info: { client_id: string; uuid: string } & Record<string, unknown>): Row {
  const registered = { ...ALL_CAPABILITIES, ...info };
  return {
    user_id: userId,
    project_id: projectId,
    client_id: info.client_id,
    uuid: info.uuid,
    client: JSON.stringify(registered),
  };
}

/** A versioned document row as Documents writes it: the doc without the server's fields, plus its columns. */
function document(
  idKey: string,
  id: string,
  userId: string,
  projectId: string,
  version: number,
  doc: Record<string, unknown>,
  columns: Row = {},
): Row {
  return { [idKey]: id, user_id: userId, project_id: projectId, version, doc: JSON.stringify(doc), ...columns };
}

/** JOB's columns (src/db/repos/kinds.ts): client, session, and job_schedule.status. */
function job(id: string, userId: string, projectId: string, version: number, doc: Record<string, unknown>): Row {
  const schedule = (doc.job_schedule ?? {}) as { status?: unknown };
  return document('job_id', id, userId, projectId, version, doc, {
    client_id: String(doc.client_id),
    session_id: typeof doc.session_id === 'string' ? doc.session_id : '',
    status: typeof schedule.status === 'string' ? schedule.status : null,
  });
}

const session = (id: string, userId: string, projectId: string, version: number, doc: Record<string, unknown>) =>
  document('session_id', id, userId, projectId, version, doc, { status: typeof doc.status === 'string' ? doc.status : null });

const SESSION_DEFAULTS = {
  session_tag: 0,
  hold_off: 30,
  status: 'active',
  result: '',
  jobs: {},
  last_start: '',
  time_start: -1,
  time_end: -1,
  time_started: -1,
  time_ended: -1,
};

/** Backup and client rows as the server stored them once the first migration had run. */
const BACKUPS_AND_CLIENTS: Record<string, Row[]> = {
  backups: [
    // What freezer-scheduler uploads after an agent run.
    backup('3b8e1f2a9c7d4e6f8a1b2c3d4e5f6a7b', ALICE, PROJECT, 'alice', {
      action: 'backup',
      backup_name: 'etc_nightly',
      container: 'freezer_etc',
      hostname: 'node1',
      time_stamp: 1700000000,
      curr_backup_level: 0,
      job_id: JOB,
      mode: 'fs',
      path_to_backup: '/etc',
      storage: 'swift',
      engine_name: 'tar',
      compression: 'gzip',
      client_os: 'linux',
      fs_real_path: '/etc',
      max_level: 7,
      always_level: null,
      dry_run: false,
      consistency_checksum: '',
    }),
    // The same job on a host whose name differs only in case: another host to searches.
    backup('4c9f2a3b0d8e4f7a9b2c3d4e5f6a7b8c', ALICE, PROJECT, 'alice', {
      action: 'backup',
      backup_name: 'etc_nightly',
      container: 'freezer_etc',
      hostname: 'Node1',
      time_stamp: 1700086400,
      curr_backup_level: 1,
      job_id: JOB,
      mode: 'fs',
      path_to_backup: '/etc',
    }),
    // A v1 upload as the original's API document writes it (host_name, timestamp): no project.
    backup('5d0a3b4c1e9f4a8b0c3d4e5f6a7b8c9d', ALICE, '', null, SEED_BACKUP),
    // Another user's, with a non-ASCII name and an upload far over TEXT's 64 KiB (the body limit is 1 MiB).
    backup('6e1b4c5d2f0a4b9c1d4e5f6a7b8c9d0e', BOB, PROJECT, 'bob', {
      backup_name: 'données-日本-🗄️',
      container: 'freezer_srv',
      hostname: 'db-1.example.org',
      time_stamp: 1700172800,
      mode: 'fs',
      path_to_backup: '/srv/data',
      files: Array.from({ length: 4000 }, (_, i) => `/srv/data/dir${i % 40}/file-${i}.dat`),
    }),
    // BOB's own job JOB (below): an id ALICE had used too, so it is renamed and this follows.
    backup('7f2c5d6e3a1b4c0d2e5f6a7b8c9d0e1f', BOB, PROJECT, 'bob', {
      action: 'backup',
      backup_name: 'bob_etc',
      container: 'freezer_bob',
      hostname: 'node1',
      time_stamp: 1700259200,
      job_id: JOB,
      mode: 'fs',
    }),
  ],
  clients: [
    // freezer-scheduler's registration at start-up.
    client(ALICE, PROJECT, {
      client_id: CLIENT,
      hostname: 'node1',
      uuid: '8d9e0f1a2b3c4d5e6f708192a3b4c5d6',
      supported_actions: ['backup', 'restore'],
      supported_modes: ['fs', 'mysql'],
      supported_storages: ['swift'],
      supported_engines: ['tar'],
    }),
    // v1 registrations whose ids differ only in case: two clients, as on SQLite.
    client(ALICE, '', { client_id: 'node1', hostname: 'node1', uuid: '9e0f1a2b3c4d5e6f708192a3b4c5d6e7' }),
    client(ALICE, '', {
      client_id: 'Node1',
      hostname: 'Node1',
      uuid: 'af1a2b3c4d5e6f708192a3b4c5d6e7f8',
      description: 'büro ☕',
    }),
    // Another user may register the same client_id.
    client(BOB, PROJECT, { client_id: CLIENT, hostname: 'node1', uuid: 'b02b3c4d5e6f708192a3b4c5d6e7f809' }),
  ],
};

/** Job, action and session rows as the server stored them once the second migration had run. */
const JOBS_ACTIONS_SESSIONS: Record<string, Row[]> = {
  jobs: [
    // Scheduled, polled by its client; its step stored as an action too.
    job(JOB, ALICE, PROJECT, 1, {
      client_id: CLIENT,
      description: 'etc nightly',
      session_id: '',
      session_tag: 0,
      job_actions: [
        { action_id: ACTION, freezer_action: STEP_ACTION, max_retries: 3, max_retries_interval: 10, mandatory: false },
      ],
      job_schedule: {
        schedule_interval: '1 days',
        status: 'scheduled',
        event: '',
        result: '',
        time_created: 1700000000,
        time_started: -1,
        time_ended: -1,
      },
    }),
    // A session's job that has run and been written back by the scheduler a few times.
    job(SESSION_JOB, ALICE, PROJECT, 4, {
      client_id: CLIENT,
      description: 'db dump',
      session_id: SESSION,
      session_tag: 3,
      job_actions: [{ action_id: 'db-dump', freezer_action: { action: 'backup', mode: 'mysql', backup_name: 'db' } }],
      job_schedule: {
        schedule_interval: '1 hours',
        status: 'completed',
        event: 'stop',
        result: 'success',
        time_created: 1700000000,
        time_started: 1700003600,
        time_ended: 1700003700,
      },
    }),
    // A v1 job (the singular job_action) with no status yet.
    job('weekly-home', BOB, '', 1, {
      client_id: 'node1',
      description: 'home, weekly',
      session_id: '',
      session_tag: 0,
      job_action: { action: 'backup', mode: 'fs', backup_name: 'home', path_to_backup: '/home' },
      job_schedule: {
        schedule_start_date: '2026-01-05T02:00:00',
        schedule_interval: '7 days',
        time_created: 1700000000,
        time_started: -1,
        time_ended: -1,
      },
    }),
    // Ids were the owner's: BOB chose the ids ALICE's job, action and session have, in her project.
    job(JOB, BOB, PROJECT, 2, {
      client_id: CLIENT,
      description: "bob's etc",
      session_id: SESSION,
      session_tag: 1,
      job_actions: [{ action_id: ACTION, freezer_action: { action: 'backup', mode: 'fs', backup_name: 'bob_etc' } }],
      job_schedule: { status: 'stop', event: '', result: '', time_created: 1700000000, time_started: -1, time_ended: -1 },
    }),
  ],
  actions: [
    document('action_id', ACTION, ALICE, PROJECT, 1, {
      freezer_action: STEP_ACTION,
      max_retries: 3,
      max_retries_interval: 10,
      mandatory: false,
    }),
    // Ids the caller chose, differing only in case: two actions, as on SQLite.
    document('action_id', 'nightly-restore', ALICE, '', 2, {
      freezer_action: { action: 'restore', restore_abs_path: '/srv/restore' },
      max_retries: 1,
    }),
    document('action_id', 'Nightly-restore', ALICE, '', 1, {
      freezer_action: { action: 'restore', restore_abs_path: '/srv/Restore' },
    }),
    // BOB's, named as ALICE's (the step of BOB's JOB), and one of his v1 ones as one of hers.
    document('action_id', ACTION, BOB, PROJECT, 1, { freezer_action: { action: 'backup', mode: 'fs' }, max_retries: 1 }),
    document('action_id', 'nightly-restore', BOB, '', 1, { freezer_action: { action: 'restore' } }),
  ],
  sessions: [
    session(SESSION, ALICE, PROJECT, 5, {
      ...SESSION_DEFAULTS,
      description: 'db and etc together',
      schedule: { schedule_interval: '1 hours' },
      session_tag: 3,
      status: 'completed',
      result: 'success',
      time_start: 1700003600,
      time_end: 1700003700,
      jobs: {
        [SESSION_JOB]: {
          client_id: CLIENT,
          status: 'completed',
          result: 'success',
          time_started: 1700003600,
          time_ended: 1700003700,
        },
      },
    }),
    session('8a9b0c1d2e3f40516273849506a7b8c9', BOB, '', 1, { ...SESSION_DEFAULTS, description: 'v1, empty', schedule: {} }),
    // BOB's, named as ALICE's, with BOB's JOB in it.
    session(SESSION, BOB, PROJECT, 2, {
      ...SESSION_DEFAULTS,
      description: "bob's",
      schedule: {},
      session_tag: 1,
      jobs: { [JOB]: { client_id: CLIENT, status: 'stop', result: '', time_started: -1, time_ended: -1 } },
    }),
  ],
};

const owned = (name: string) => ({
  columns: ['seq', `${name.replace(/s$/, '')}_id`, 'user_id', 'project_id', 'version', 'doc'],
  indexes: {
    [`${name}_owner_id`]: { columns: ['user_id', 'project_id', `${name.replace(/s$/, '')}_id`], unique: true },
    [`${name}_owner_seq`]: { columns: ['user_id', 'project_id', 'seq'], unique: false },
  },
});

const AFTER_BACKUPS_AND_CLIENTS: Schema = {
  backups: {
    columns: [
      'seq',
      'backup_id',
      'user_id',
      'project_id',
      'user_name',
      'job_id',
      'backup_name',
      'container',
      'hostname',
      'time_stamp',
      'backup_metadata',
    ],
    primaryKey: ['seq'],
    indexes: {
      backups_backup_id_unique: { columns: ['backup_id'], unique: true },
      backups_owner_seq: { columns: ['user_id', 'project_id', 'seq'], unique: false },
    },
  },
  clients: {
    columns: ['seq', 'user_id', 'project_id', 'client_id', 'uuid', 'client'],
    primaryKey: ['seq'],
    indexes: {
      clients_owner_client_id: { columns: ['user_id', 'project_id', 'client_id'], unique: true },
      clients_owner_seq: { columns: ['user_id', 'project_id', 'seq'], unique: false },
    },
  },
};

const AFTER_JOBS_ACTIONS_SESSIONS: Schema = {
  ...AFTER_BACKUPS_AND_CLIENTS,
  jobs: {
    columns: [...owned('jobs').columns, 'client_id', 'session_id', 'status'],
    primaryKey: ['seq'],
    indexes: {
      ...owned('jobs').indexes,
      jobs_owner_client_seq: { columns: ['user_id', 'project_id', 'client_id', 'seq'], unique: false },
      jobs_owner_session: { columns: ['user_id', 'project_id', 'session_id'], unique: false },
    },
  },
  actions: { ...owned('actions'), primaryKey: ['seq'] },
  sessions: { columns: [...owned('sessions').columns, 'status'], primaryKey: ['seq'], indexes: owned('sessions').indexes },
};

const AFTER_SEARCH_INDEXES: Schema = {
  ...AFTER_JOBS_ACTIONS_SESSIONS,
  backups: {
    ...AFTER_BACKUPS_AND_CLIENTS.backups!,
    indexes: {
      ...AFTER_BACKUPS_AND_CLIENTS.backups!.indexes,
      backups_owner_job_seq: { columns: ['user_id', 'project_id', 'job_id', 'seq'], unique: false },
      backups_owner_name_seq: { columns: ['user_id', 'project_id', 'backup_name', 'seq'], unique: false },
      backups_owner_host_seq: { columns: ['user_id', 'project_id', 'hostname', 'seq'], unique: false },
    },
  },
};

const index = (columns: string[], unique = false) => ({ columns, unique });

/** Ids unique service-wide, project indexes, central clients, backup status (20261202000000). */
const AFTER_PROJECT_SCOPE: Schema = {
  backups: {
    ...AFTER_SEARCH_INDEXES.backups!,
    columns: [...AFTER_SEARCH_INDEXES.backups!.columns, 'status'],
    indexes: {
      backups_backup_id_unique: index(['backup_id'], true),
      backups_project_seq: index(['project_id', 'seq']),
      backups_project_job_seq: index(['project_id', 'job_id', 'seq']),
      backups_project_name_seq: index(['project_id', 'backup_name', 'seq']),
      backups_project_host_seq: index(['project_id', 'hostname', 'seq']),
      backups_project_user_seq: index(['project_id', 'user_id', 'seq']),
      backups_project_status_seq: index(['project_id', 'status', 'seq']),
    },
  },
  clients: {
    ...AFTER_SEARCH_INDEXES.clients!,
    columns: [...AFTER_SEARCH_INDEXES.clients!.columns, 'is_central'],
    indexes: {
      clients_project_client_id: index(['project_id', 'client_id', 'user_id'], true),
      clients_project_seq: index(['project_id', 'seq']),
      clients_project_user_seq: index(['project_id', 'user_id', 'seq']),
      clients_client_id: index(['client_id']),
    },
  },
  jobs: {
    ...AFTER_SEARCH_INDEXES.jobs!,
    indexes: {
      jobs_id: index(['job_id'], true),
      jobs_project_seq: index(['project_id', 'seq']),
      jobs_project_user_seq: index(['project_id', 'user_id', 'seq']),
      jobs_project_client_seq: index(['project_id', 'client_id', 'seq']),
      jobs_project_session: index(['project_id', 'session_id']),
      jobs_client_seq: index(['client_id', 'seq']),
    },
  },
  actions: {
    ...AFTER_SEARCH_INDEXES.actions!,
    indexes: {
      actions_id: index(['action_id'], true),
      actions_project_seq: index(['project_id', 'seq']),
      actions_project_user_seq: index(['project_id', 'user_id', 'seq']),
    },
  },
  sessions: {
    ...AFTER_SEARCH_INDEXES.sessions!,
    indexes: {
      sessions_id: index(['session_id'], true),
      sessions_project_seq: index(['project_id', 'seq']),
      sessions_project_user_seq: index(['project_id', 'user_id', 'seq']),
    },
  },
};

type Tables = Record<string, Row[]>;
/** The id a migration gave the row stored at `seq` in `table` (it checks the id is a new one). */
type IdAfter = (table: string, seq: number) => string;

/**
 * After 20261202000000: BOB's documents named as ALICE's (older) ones get new ids, which every
 * mention of them among BOB's rows in that project follows. ALICE's rows, and every other, keep
 * their ids.
 */
function afterProjectScope(stored: Tables, idAfter: IdAfter): Tables {
  const renames = (projectId: string): [string, string][] =>
    (
      [
        ['jobs', 'job_id', JOB],
        ['actions', 'action_id', ACTION],
        ['sessions', 'session_id', SESSION],
        ['actions', 'action_id', 'nightly-restore'],
      ] as const
    ).flatMap(([table, column, id]) =>
      stored[table]!.filter((r) => r.user_id === BOB && r.project_id === projectId && r[column] === id).map(
        (r) => [id, idAfter(table, r.seq as number)] as [string, string],
      ),
    );
  // A column that is the id, or a document (JSON) that names it as a string.
  const follow = (row: Row): Row => {
    if (row.user_id !== BOB) return row;
    const renamed = { ...row };
    for (const [from, to] of renames(String(row.project_id)))
      for (const [column, value] of Object.entries(renamed))
        if (value === from) renamed[column] = to;
        else if (typeof value === 'string') renamed[column] = value.replaceAll(JSON.stringify(from), JSON.stringify(to));
    return renamed;
  };
  return Object.fromEntries(Object.entries(stored).map(([table, rows]) => [table, rows.map(follow)]));
}

/** A step's rows, with only the columns `schema` has (what rolling back an added column leaves). */
const onlyColumns = (rows: Tables, schema: Schema): Tables =>
  Object.fromEntries(
    Object.entries(rows).map(([table, list]) => [
      table,
      list.map((row) => Object.fromEntries(schema[table]!.columns.map((column) => [column, row[column] ?? null]))),
    ]),
  );

const AFTER_JOB_TRUSTS: Schema = {
  ...AFTER_PROJECT_SCOPE,
  jobs: {
    ...AFTER_PROJECT_SCOPE.jobs!,
    columns: [...AFTER_PROJECT_SCOPE.jobs!.columns, 'trust_id'],
    indexes: { ...AFTER_PROJECT_SCOPE.jobs!.indexes, jobs_trust: { columns: ['trust_id'], unique: false } },
  },
};

/** A job the central scheduler runs through a Keystone trust, as the server stores it once trusts came. */
const TRUSTED_JOB_DOC = {
  client_id: 'central-scheduler',
  description: 'etc nightly, centrally',
  session_id: '',
  session_tag: 0,
  job_actions: [{ action_id: ACTION, freezer_action: STEP_ACTION }],
  job_schedule: { time_created: 1700000000, time_started: -1, time_ended: -1 },
  user_credentials: { trust_id: '3e1f0a9b8c7d4e6f9a0b1c2d3e4f5a6b', trustor_user_id: ALICE },
};

interface Step {
  schema: Schema;
  /** Rows as the server stored them in the tables it creates, while it was the latest. */
  rows: Record<string, Row[]>;
  /** What the rows it keeps hold in the columns it adds, by table. */
  added?: Record<string, Row>;
  /** Rows as the server stores them after it in tables it changes (removed again before its rollback). */
  later?: Record<string, Row[]>;
  /**
   * The rows it leaves, when it rewrites some, from those it kept (with `added`) and the ids it
   * gave. Rolled back, those rows stay, without the columns it added.
   */
  rewrites?: (kept: Tables, idAfter: IdAfter) => Tables;
}

/**
 * Every migration, in order: the whole schema after it and the rows it concerns. A new migration
 * needs an entry (the test says so); one that rewrites stored rows needs the rows it should leave, too.
 */
const STEPS: Record<string, Step> = {
  '20261128000000_backups_and_clients': { schema: AFTER_BACKUPS_AND_CLIENTS, rows: BACKUPS_AND_CLIENTS },
  '20261128010000_jobs_actions_sessions': { schema: AFTER_JOBS_ACTIONS_SESSIONS, rows: JOBS_ACTIONS_SESSIONS },
  '20261128020000_search_indexes': { schema: AFTER_SEARCH_INDEXES, rows: {} },
  '20261202000000_project_scope': {
    schema: AFTER_PROJECT_SCOPE,
    rows: {},
    added: { backups: { status: 'available' }, clients: { is_central: 0 } },
    rewrites: afterProjectScope,
  },
  '20261202100000_job_trusts': {
    schema: AFTER_JOB_TRUSTS,
    rows: {},
    added: { jobs: { trust_id: null } },
    later: {
      jobs: [
        {
          ...job('4b5c6d7e8f9041a2b3c4d5e6f7a8b9c0', ALICE, PROJECT, 1, TRUSTED_JOB_DOC),
          trust_id: TRUSTED_JOB_DOC.user_credentials.trust_id,
        },
        // Another user's job in the project sharing the trust: the last of the two deleted takes it.
        {
          ...job('5c6d7e8f9041a2b3c4d5e6f7a8b9c0d1', BOB, PROJECT, 2, TRUSTED_JOB_DOC),
          trust_id: TRUSTED_JOB_DOC.user_credentials.trust_id,
        },
      ],
    },
  },
};
const ROWS: Record<string, Row[]> = Object.assign({}, ...Object.values(STEPS).map((step) => step.rows));

/** The id column of each table whose ids a migration may rename. */
const ID_COLUMNS: Record<string, string> = { jobs: 'job_id', actions: 'action_id', sessions: 'session_id' };

/** The columns the server finds rows by, within an owner (user and project). */
const LOOKUPS: Record<string, string[]> = {
  backups: ['backup_id', 'job_id', 'backup_name', 'hostname'],
  clients: ['client_id', 'uuid'],
  jobs: ['job_id', 'client_id', 'session_id', 'status', 'trust_id'],
  actions: ['action_id'],
  sessions: ['session_id', 'status'],
};

const TABLES = ['backups', 'clients', 'jobs', 'actions', 'sessions'];

describe.each(engineRows)('migrations on %s', (_name, engine) => {
  const dir = tempDir('freezer-migrations-');
  let db: Knex;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const database = await engine.create();
    drop = () => database.drop();
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

  /** Every row of each table, in list order (seq), by table. */
  const readRows = async (tables: string[]) => {
    const rows: Record<string, Row[]> = {};
    for (const table of tables) {
      rows[table] = ((await db(table).select('*').orderBy('seq')) as Row[]).map((row) => ({ ...row, seq: Number(row.seq) }));
    }
    return rows;
  };

  /** Inserts each table's ROWS; resolves with what the tables hold then, after checking it is what went in. */
  const insertRows = async (tables: string[]) => {
    for (const table of tables) {
      if (!ROWS[table]?.length) throw new Error(`no rows for ${table}: add some to the migration that creates it`);
      await db(table).insert(ROWS[table]);
    }
    const stored = await readRows(tables);
    for (const table of tables) expect(stored[table]).toEqual(ROWS[table]!.map((row) => ({ seq: expect.any(Number), ...row })));
    return stored;
  };

  /** Each row is found by each column the server looks it up by, with exactly the rows equal in it. */
  const expectFound = (stored: Record<string, Row[]>) =>
    checkEach(
      Object.entries(stored).flatMap(([table, rows]) =>
        rows.flatMap((row) =>
          // Columns a row does not have yet (a later migration adds them), or holds null in, find nothing.
          (LOOKUPS[table] ?? []).filter((column) => row[column] != null).map((column) => ({ table, row, column })),
        ),
      ),
      async ({ table, row, column }) => {
        const owner = { user_id: row.user_id, project_id: row.project_id };
        const found = await db(table)
          .where({ ...owner, [column]: row[column] })
          .orderBy('seq')
          .pluck('seq');
        const equal = stored[table]!.filter(
          (r) => r.user_id === owner.user_id && r.project_id === owner.project_id && r[column] === row[column],
        );
        expect(found.map(Number)).toEqual(equal.map((r) => r.seq));
      },
      ({ table, row, column }) => `${table} where ${column} = ${JSON.stringify(row[column])}`,
    );

  it('has an expected schema for every migration', () => {
    expect(Object.keys(STEPS)).toEqual(MIGRATION_NAMES);
  });

  it.each(MIGRATION_NAMES.map((name, i) => [name, MIGRATION_NAMES[i - 1]] as const))(
    '%s keeps the rows stored before it, makes the schema it says, and rolls back to both',
    async (name, previous) => {
      const step = STEPS[name];
      if (!step) throw new Error(`no expected schema for ${name}: add it to STEPS`);
      const before = previous ? STEPS[previous]!.schema : {};
      // The rows each earlier migration's tables took while it was the latest, carried (and, by a
      // migration that rewrites rows, rewritten) by the migrations after it, as on a real server.
      await rollbackAll(db);
      for (const earlier of MIGRATION_NAMES.slice(0, MIGRATION_NAMES.indexOf(name))) {
        const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
        await migrateTo(db, earlier).finally(() => warn.mockRestore());
        for (const [table, rows] of Object.entries(STEPS[earlier]!.rows)) await db(table).insert(rows);
      }
      expect(await readSchema(db)).toEqual(before);
      const stored = await readRows(Object.keys(before));
      await expectFound(stored);

      // A migration that renames ids tells the operator, once per rename.
      const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
      let warnings = 0;
      await migrateTo(db, name).finally(() => {
        warnings = warn.mock.calls.length;
        warn.mockRestore();
      });
      expect(await readSchema(db)).toEqual(step.schema);
      const migrated = await readRows(Object.keys(before));
      const renamed = new Set<string>();
      const idAfter: IdAfter = (table, seq) => {
        renamed.add(`${table} ${seq}`);
        const column = ID_COLUMNS[table]!;
        const [was, is] = [stored, migrated].map((rows) => rows[table]!.find((row) => row.seq === seq)?.[column]);
        expect(is).toMatch(/^[0-9a-f]{32}$/);
        expect(is).not.toEqual(was);
        return String(is);
      };
      const kept = Object.fromEntries(
        Object.entries(stored).map(([table, rows]) => [table, rows.map((row) => ({ ...row, ...step.added?.[table] }))]),
      );
      const expected = step.rewrites ? step.rewrites(kept, idAfter) : kept;
      expect(migrated).toEqual(expected);
      expect(warnings).toBe(renamed.size);
      await expectFound(expected);
      // The tables it creates take rows as the server stores them; so do the tables it changes.
      const created = Object.keys(step.schema).filter((table) => !(table in before));
      await expectFound(await insertRows(created));
      for (const [table, rows] of Object.entries(step.later ?? {})) {
        await db(table).insert(rows);
        await expectFound(await readRows([table]));
        const keptSeqs = stored[table]!.map((row) => Number(row.seq));
        await db(table).whereNotIn('seq', keptSeqs).delete();
      }

      await rollbackMigration(db, name);
      expect(await readSchema(db)).toEqual(before);
      expect(await readRows(Object.keys(before))).toEqual(onlyColumns(expected, before));
      await expectFound(await readRows(Object.keys(before)));
      const [done] = (await migrationStatus(db)) as [{ name: string }[], unknown[]];
      expect(done.map((m) => m.name)).toEqual(previous ? MIGRATION_NAMES.slice(0, MIGRATION_NAMES.indexOf(previous) + 1) : []);
    },
  );

  it('go up, down and up again', async () => {
    await rollbackAll(db);
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

  it('recovers from two starts racing to create the lock table (two lock rows: nobody could lock)', async () => {
    // Its own database: a file on SQLite, as openDatabase opens another connection to it.
    const target =
      engine.name === 'sqlite' ? { url: `sqlite:${path.join(dir, 'race.sqlite')}`, drop: async () => {} } : await engine.create();
    const other = knex(knexConfig(target.url));
    try {
      await other.schema.createTable('knex_migrations_lock', (t) => {
        t.increments('index').primary();
        t.integer('is_locked');
      });
      await other('knex_migrations_lock').insert([{ is_locked: 0 }, { is_locked: 0 }]);
      const lines: string[] = [];
      const opened = await openDatabase(target.url, { log: (line) => lines.push(line) });
      await opened.destroy();
      const [, pending] = (await migrationStatus(other)) as [unknown[], unknown[]];
      expect(pending).toEqual([]);
      expect(await other('knex_migrations_lock').count({ n: '*' })).toEqual([{ n: 1 }]);
      expect(lines).toHaveLength(1); // one "another process is migrating" line, then it went ahead
    } finally {
      await other.destroy();
      await target.drop();
    }
  });

  it('is a no-op when already up to date', async () => {
    await migrateToLatest(db);
    const [, applied] = (await migrateToLatest(db)) as [number, string[]];
    expect(applied).toEqual([]);
  });

  const duplicate = { code: expect.stringMatching(/^(ER_DUP_ENTRY|SQLITE_CONSTRAINT_UNIQUE)$/) };

  it('enforces one registration per client_id, project and user', async () => {
    const row = { user_id: 'u', project_id: 'p', client_id: 'same', uuid: 'x', client: '{}' };
    await db('clients').insert(row);
    await expect(db('clients').insert(row)).rejects.toMatchObject(duplicate);
    await db('clients').insert({ ...row, user_id: 'other' });
    await db('clients').insert({ ...row, project_id: 'q' });
  });

  it('enforces one job, action and session per id in the whole service', async () => {
    for (const [table, column] of Object.entries(ID_COLUMNS)) {
      const jobColumns = table === 'jobs' ? { client_id: 'c', session_id: '' } : {};
      const row = { [column]: 'same', user_id: 'u', project_id: 'p', version: 1, doc: '{}', ...jobColumns };
      await db(table).insert(row);
      await expect(db(table).insert({ ...row, user_id: 'other', project_id: 'q' })).rejects.toMatchObject(duplicate);
    }
  });
});

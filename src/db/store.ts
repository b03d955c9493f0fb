// The storage layer as the rest of the server sees it: every repository, bound to one database,
// and the transactions that span them. Built once, by src/server.ts.
import type { Knex } from 'knex';
import type { components } from '../../generated/openapi';
import { BackupsRepo } from './repos/backups';
import { ClientsRepo } from './repos/clients';
import { DocumentsRepo } from './repos/documents';
import { JobsRepo } from './repos/jobs';
import { ACTION, SESSION } from './repos/kinds';
import { pendingMigrations } from './migrate';
import { inTransaction } from './transactions';

/** The trailing option of every repository method: run inside this transaction. */
export interface Tx {
  trx?: Knex.Transaction;
}

export interface Store {
  backups: BackupsRepo;
  clients: ClientsRepo;
  jobs: JobsRepo;
  actions: DocumentsRepo<components['schemas']['Action'], 'action_id', 'actions'>;
  sessions: DocumentsRepo<components['schemas']['Session'], 'session_id', 'sessions'>;
  /** Runs `work` in one transaction, again from the start when another writer got there first. */
  transaction<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T>;
  /** Resolves when the database answers a query. */
  ping(): Promise<void>;
  /** The migrations this version needs that have not run (src/db/migrate.ts). */
  pendingMigrations(): Promise<string[]>;
}

/** `retryBudgetMs`: how long a transaction that keeps losing races is started again. */
export function createStore(db: Knex, retryBudgetMs = Infinity): Store {
  return {
    backups: new BackupsRepo(db),
    clients: new ClientsRepo(db),
    jobs: new JobsRepo(db),
    actions: new DocumentsRepo(db, ACTION),
    sessions: new DocumentsRepo(db, SESSION),
    transaction: (work) => inTransaction(db, work, retryBudgetMs),
    ping: async () => {
      await db.raw('SELECT 1');
    },
    pendingMigrations: () => pendingMigrations(db),
  };
}

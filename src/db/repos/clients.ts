// Registered clients: the row <-> wire mapping and every query on the clients table. Every
// method takes an optional trailing `{ trx }` (see Store.transaction).
import type { Knex } from 'knex';
import type { components } from '../../../generated/openapi';
import type { Scope } from '../../domain/caller';
import { isUniqueViolation } from '../errors';
import { newId } from '../ids';
import { type Listing, type Page, readPage } from '../paging';
import { lockingRead, run, scopeCondition, scopedDelete, selectFirst, selectRows, type Sql } from '../prepared';
import type { SearchTerms } from '../../domain/search';
import type { SearchTarget } from '../search';
import type { Tx } from '../store';

export type Client = components['schemas']['Client'];
export type ClientInfo = components['schemas']['ClientInfo'];
export type RegisteredClientInfo = components['schemas']['RegisteredClientInfo'];

type Capabilities = Pick<
  RegisteredClientInfo,
  'supported_actions' | 'supported_modes' | 'supported_storages' | 'supported_engines'
>;

/** What a client supports when its registration does not say: everything, as in the original. */
const ALL_CAPABILITIES: Capabilities = {
  supported_actions: ['backup', 'restore', 'info', 'admin', 'exec'],
  supported_modes: ['fs', 'mongo', 'mysql', 'sqlserver', 'cinder', 'glance', 'cindernative', 'nova'],
  supported_storages: ['local', 'swift', 'ssh', 's3', 'ftp', 'ftps'],
  supported_engines: ['tar', 'rsync', 'rsyncv2', 'nova', 'osbrick', 'glance'],
};

interface ClientRow {
  seq: number;
  user_id: string;
  project_id: string;
  is_central: number | boolean;
  client: string;
}

const COLUMNS = ['seq', 'user_id', 'project_id', 'is_central', 'client'];

/** What a scope sees: its own clients, and every project's central ones. */
const visible = (scope: Scope, table?: string): Sql => {
  const own = scopeCondition(scope, table);
  return { sql: `(${own.sql}) OR ${table ? `${table}.` : ''}is_central <> 0`, bindings: own.bindings };
};

const SEARCH: SearchTarget = {
  columns: { user_id: 'user_id', client_id: 'client_id', uuid: 'uuid' },
  document: 'client',
};
const LISTING: Listing = { table: 'clients', idColumn: 'client_id', columns: COLUMNS.join(', '), search: SEARCH, visible };

/** A registration as stored, with who owns it. */
export interface StoredClient {
  seq: number;
  client: Client;
  /** True when the scope that asked owns it (not another project's central client). */
  own: boolean;
}

export class ClientsRepo {
  constructor(private readonly db: Knex) {}

  /** Registers the client (a new registration: `uuid` and capabilities filled in); false when its id is taken. */
  async insert(scope: Scope, info: ClientInfo, { trx }: Tx = {}): Promise<boolean> {
    const client: RegisteredClientInfo = {
      ...ALL_CAPABILITIES,
      ...info,
      uuid: info.uuid ?? newId(),
      is_central: info.is_central ?? false,
    };
    try {
      await (trx ?? this.db)('clients').insert({
        user_id: scope.userId,
        project_id: scope.projectId,
        client_id: client.client_id,
        uuid: client.uuid,
        is_central: client.is_central,
        client: JSON.stringify(client),
      });
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  /** Replaces a stored registration (found by `registrations`). */
  async update(seq: number, info: RegisteredClientInfo, { trx }: Tx = {}): Promise<void> {
    await (trx ?? this.db)('clients')
      .where('seq', seq)
      .update({ client: JSON.stringify(info) });
  }

  /**
   * Every registration of `clientId`, in any project, each marked as the scope's own or not. In a
   * transaction on MySQL/MariaDB the id's index range is locked until commit, so two
   * registrations of one id queue rather than both insert.
   */
  async registrations(scope: Scope, clientId: string, { trx }: Tx = {}): Promise<StoredClient[]> {
    const read = { sql: `SELECT ${COLUMNS.join(', ')} FROM clients WHERE client_id = ? ORDER BY seq`, bindings: [clientId] };
    const rows = await selectRows<ClientRow>(trx ?? this.db, lockingRead(this.db, trx, read));
    return rows.map((row) => ({ seq: row.seq, client: toClient(row), own: owns(scope, row) }));
  }

  /** The client by that id the scope sees: its own, or a central one. */
  async find(scope: Scope, clientId: string, { trx }: Tx = {}): Promise<Client | undefined> {
    const shown = visible(scope);
    const row = await selectFirst<ClientRow>(trx ?? this.db, {
      sql: `SELECT ${COLUMNS.join(', ')} FROM clients WHERE client_id = ? AND (${shown.sql}) ORDER BY seq`,
      bindings: [clientId, ...shown.bindings],
    });
    return row && toClient(row);
  }

  /** One page; undefined when `page.marker` names none of the clients the scope sees. */
  async list(scope: Scope, page: Page, search?: SearchTerms, { trx }: Tx = {}): Promise<Client[] | undefined> {
    const rows = await readPage<ClientRow>(trx ?? this.db, LISTING, scope, page, search);
    return rows?.map(toClient);
  }

  /** Which of `clientIds` the project registered itself (central or not). */
  async ownedBy(projectId: string, clientIds: string[], { trx }: Tx = {}): Promise<Set<string>> {
    if (clientIds.length === 0) return new Set();
    const rows = await selectRows<{ client_id: string }>(trx ?? this.db, {
      sql: `SELECT client_id FROM clients WHERE project_id = ? AND client_id IN (${clientIds.map(() => '?').join(', ')})`,
      bindings: [projectId, ...clientIds],
    });
    return new Set(rows.map((row) => row.client_id));
  }

  /** True when the scope had registered such a client. */
  async remove(scope: Scope, clientId: string, { trx }: Tx = {}): Promise<boolean> {
    return (await run(trx ?? this.db, scopedDelete('clients', 'client_id', scope, clientId))) > 0;
  }
}

const owns = (scope: Scope, row: ClientRow) =>
  row.project_id === scope.projectId && (!scope.byUser || row.user_id === scope.userId);

function toClient(row: ClientRow): Client {
  // Registrations stored before clients could be central have no is_central of their own.
  const client = Object.assign(JSON.parse(row.client) as RegisteredClientInfo, { is_central: Boolean(row.is_central) });
  return { client, user_id: row.user_id, project_id: row.project_id || null };
}

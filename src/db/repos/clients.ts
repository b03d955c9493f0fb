// Registered clients: the row <-> wire mapping and every query on the clients table. Every
// method takes an optional trailing `{ trx }` (see Store.transaction).
import type { Knex } from 'knex';
import type { components } from '../../../generated/openapi';
import type { Scope } from '../../domain/caller';
import { isUniqueViolation } from '../errors';
import { newId } from '../ids';
import { type Listing, type Page, readPage } from '../paging';
import { ownedItem, selectFirst } from '../prepared';
import type { SearchTerms } from '../../domain/search';
import type { SearchTarget } from '../search';
import type { Tx } from '../store';

export type Client = components['schemas']['Client'];
export type ClientInfo = components['schemas']['ClientInfo'];
type RegisteredClientInfo = components['schemas']['RegisteredClientInfo'];

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
  user_id: string;
  project_id: string;
  client: string;
}

const COLUMNS = ['user_id', 'project_id', 'client'];
const findSql = ownedItem('clients', 'client_id', COLUMNS.join(', '));

const SEARCH: SearchTarget = {
  columns: { user_id: 'user_id', client_id: 'client_id', uuid: 'uuid' },
  document: 'client',
};
const LISTING: Listing = { table: 'clients', idColumn: 'client_id', columns: COLUMNS.join(', '), search: SEARCH };

export class ClientsRepo {
  constructor(private readonly db: Knex) {}

  /** Registers the client; false when the owner already registered its `client_id`. */
  async insert(scope: Scope, info: ClientInfo, { trx }: Tx = {}): Promise<boolean> {
    const client: RegisteredClientInfo = { ...ALL_CAPABILITIES, ...info, uuid: info.uuid ?? newId() };
    try {
      await (trx ?? this.db)('clients').insert({
        user_id: scope.userId,
        project_id: scope.projectId,
        client_id: client.client_id,
        uuid: client.uuid,
        client: JSON.stringify(client),
      });
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  async find(scope: Scope, clientId: string, { trx }: Tx = {}): Promise<Client | undefined> {
    const row = await selectFirst<ClientRow>(trx ?? this.db, findSql(scope, clientId));
    return row && toClient(row);
  }

  /** One page; undefined when `page.marker` names none of the owner's clients. */
  async list(scope: Scope, page: Page, search?: SearchTerms, { trx }: Tx = {}): Promise<Client[] | undefined> {
    const rows = await readPage<ClientRow>(trx ?? this.db, LISTING, scope, page, search);
    return rows?.map(toClient);
  }

  /** True when the owner had registered such a client. */
  async remove(scope: Scope, clientId: string, { trx }: Tx = {}): Promise<boolean> {
    const owned = { user_id: scope.userId, project_id: scope.projectId, client_id: clientId };
    return (await (trx ?? this.db)('clients').where(owned).delete()) > 0;
  }
}

function toClient(row: ClientRow): Client {
  return {
    client: JSON.parse(row.client) as RegisteredClientInfo,
    user_id: row.user_id,
    project_id: row.project_id || null,
  };
}

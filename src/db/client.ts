// What the code reads of Knex's client, which Knex's own types leave as `any`.
import type { Knex } from 'knex';

/** The parts of a Knex client (`knex.client`) used here. */
export interface KnexClient {
  config: Knex.Config;
  emit(event: 'query', query: { method: string; sql: string; bindings: readonly unknown[] }): void;
  acquireConnection(): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<void>;
}

export const clientOf = (q: Knex): KnexClient => q.client as KnexClient;

/** MySQL or MariaDB (mysql2), as opposed to SQLite. */
export const isMysql = (q: Knex): boolean => clientOf(q).config.client === 'mysql2';

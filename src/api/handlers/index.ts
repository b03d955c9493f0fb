// The complete operationId -> handler map: an operation without a handler does not compile.
import type { Knex } from 'knex';
import { BackupsRepo } from '../../db/repos/backups';
import { ClientsRepo } from '../../db/repos/clients';
import type { CallerOf } from '../../identity';
import type { Handlers } from '../types';
import { actionHandlers } from './actions';
import { backupHandlers } from './backups';
import { clientHandlers } from './clients';
import { jobHandlers } from './jobs';
import { sessionHandlers } from './sessions';
import { versionHandlers } from './versions';

export function createHandlers(db: Knex, callerOf: CallerOf): Handlers {
  return {
    ...versionHandlers(db),
    ...backupHandlers(new BackupsRepo(db), callerOf),
    ...clientHandlers(new ClientsRepo(db), callerOf),
    ...jobHandlers(db, callerOf),
    ...actionHandlers(db, callerOf),
    ...sessionHandlers(db, callerOf),
  };
}

// Jobs: the versioned documents' repository, and the one question only jobs are asked.
import type { Knex } from 'knex';
import type { components } from '../../../generated/openapi';
import type { Tx } from '../store';
import { DocumentsRepo } from './documents';
import { JOB } from './kinds';

export class JobsRepo extends DocumentsRepo<components['schemas']['Job'], 'job_id', 'jobs'> {
  constructor(private readonly knex: Knex) {
    super(knex, JOB);
  }

  /** True when any job, of any owner, names this Keystone trust (an index lookup: jobs_trust). */
  async usesTrust(trustId: string, { trx }: Tx = {}): Promise<boolean> {
    const row: unknown = await (trx ?? this.knex)('jobs').where('trust_id', trustId).first('seq');
    return row !== undefined;
  }
}

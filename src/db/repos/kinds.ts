// The three versioned document kinds: which fields are indexed, and where searches look.
import type { Doc, DocumentKind } from './documents';

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const scheduleOf = (doc: Doc) => (doc.job_schedule ?? {}) as Doc;

export const JOB: DocumentKind<'job_id', 'jobs'> = {
  table: 'jobs',
  noun: 'job',
  idKey: 'job_id',
  columns: (doc) => ({
    client_id: String(doc.client_id),
    session_id: text(doc.session_id) ?? '',
    status: text(scheduleOf(doc).status),
    trust_id: text(((doc.user_credentials ?? {}) as Doc).trust_id),
  }),
  search: {
    // `status` is job_schedule.status: what the scheduler's poll filters on.
    columns: { job_id: 'job_id', user_id: 'user_id', client_id: 'client_id', session_id: 'session_id', status: 'status' },
    document: 'doc',
  },
};

export const ACTION: DocumentKind<'action_id', 'actions'> = {
  table: 'actions',
  noun: 'action',
  idKey: 'action_id',
  columns: () => ({}),
  search: {
    columns: { action_id: 'action_id', user_id: 'user_id' },
    document: 'doc',
  },
};

export const SESSION: DocumentKind<'session_id', 'sessions'> = {
  table: 'sessions',
  noun: 'session',
  idKey: 'session_id',
  columns: (doc) => ({ status: text(doc.status) }),
  search: {
    columns: { session_id: 'session_id', user_id: 'user_id', status: 'status' },
    document: 'doc',
  },
};

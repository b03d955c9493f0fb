// Who is calling: the owner every read and write is scoped to. Resolved per request by src/auth/.

/** The owner of a resource. `projectId` is '' for v1 requests made without a project. */
export interface Scope {
  userId: string;
  projectId: string;
}

export interface Caller extends Scope {
  /** Recorded on uploaded backups; null when unknown. */
  userName: string | null;
}

// Who is calling: the owner every read and write is scoped to. Resolved per request by src/auth/.

/**
 * Whose resources a request sees, and who it records as their (last) writer. `projectId` is ''
 * for v1 requests made without a project.
 */
export interface Scope {
  /** The caller: recorded as `user_id` on what it writes. */
  userId: string;
  projectId: string;
  /**
   * True when reads, updates and deletes see only `userId`'s resources in the project (v1, and v2
   * with FREEZER_API_SCOPE=user, as freezer-api 13.x–18.x); false when they see the whole
   * project's (v2 by default, as current upstream).
   */
  byUser: boolean;
  /** Reads only: every project's resources (a caller policy lets list all projects' jobs). */
  everyProject?: boolean;
}

export interface Caller extends Scope {
  /** Recorded on uploaded backups; null when unknown. */
  userName: string | null;
  /** The caller's roles (Keystone token's; in noauth mode X-Roles, `member` when absent). */
  roles: readonly string[];
  /**
   * The project the caller's credentials are for (the token's, or in noauth mode X-Project-Id,
   * else the URL's): policy's `project_id` credential. `projectId` is the URL's (the target).
   */
  credentialProjectId: string;
  /** The caller's own Keystone token (keystone mode), to create trusts with. */
  token?: string;
}

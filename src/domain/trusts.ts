// Keystone trusts for the central scheduler, as the jobs service sees them (src/auth/trusts.ts
// makes them in Keystone): which jobs need one, and what a job stores of it.
import type { Caller } from './caller';

/** What a job stores of its trust (its `user_credentials`). */
export interface UserCredentials {
  trust_id: string;
  /** The job's creator: the user whose roles the trust delegates to the service user. */
  trustor_user_id: string;
}

/** A trust from the caller to the server's service user, and whether it was made just now. */
export interface ObtainedTrust {
  credentials: UserCredentials;
  /** False when an existing trust was reused: it is not the caller's to delete on failure. */
  created: boolean;
}

export interface Trusts {
  /**
   * `always`: every new v2 job gets a trust; `central`: only those whose client is central; `off`:
   * none (the trusts of jobs made before are still deleted with them).
   */
  readonly mode: 'off' | 'central' | 'always';
  /**
   * A trust delegating the configured roles in the caller's (URL) project to the service user,
   * made with the caller's own token: an existing one is reused. Throws 422 Missing required
   * credentials when Keystone makes none, 503 when Keystone cannot be asked.
   */
  obtain(caller: Caller): Promise<ObtainedTrust>;
  /** Deletes the trust in Keystone; never throws (a failure is logged). */
  remove(trustId: string): Promise<void>;
}

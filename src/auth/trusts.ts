// Keystone trusts for the central scheduler (keystone mode): the caller delegates roles in the
// job's project to the server's own service user, which the central scheduler runs as. Made with
// the caller's token (Keystone lets only the trustor create a trust); deleted with the service
// user's token, since the job may be deleted by another user of the project (Keystone lets only
// the trustor or an `admin` delete a trust, so the service user needs the admin role for that).
import type { Caller } from '../domain/caller';
import type { ObtainedTrust, Trusts } from '../domain/trusts';
import { missingCredentials } from '../errors';
import { KeystoneUnavailable, type KeystoneSession, identityUnavailable } from './keystone';
import type { Logger } from '../log';

export interface TrustSettings {
  /** `off`: no trusts; `central`: for jobs on central clients; `always`: for every v2 job. */
  mode: 'off' | 'central' | 'always';
  /** The roles each trust delegates (the trustor must hold them in the project). */
  roles: string[];
}

interface KeystoneTrust {
  id: string;
  trustor_user_id: string;
  trustee_user_id: string;
  project_id: string | null;
  impersonation: boolean;
  expires_at: string | null;
  remaining_uses: number | null;
  /** Only in a single trust's answer, not in lists. */
  roles?: { name: string }[];
}

/** Trusts through `session`'s Keystone. */
/** `log`: where a trust that could not be deleted is reported (the job's delete has succeeded by then). */
export function keystoneTrusts(session: KeystoneSession, settings: TrustSettings, log: Logger): Trusts {
  const roles = settings.roles.map((name) => ({ name }));

  /**
   * A trust of the caller's to the trustee for the project, delegating every configured role, that
   * a new job may share, if any.
   */
  async function reusable(token: string, trustor: string, trustee: string, projectId: string): Promise<string | undefined> {
    // Keystone filters by one of trustor and trustee only; the rest is checked here.
    const res = await session.call('GET', `/OS-TRUST/trusts?trustor_user_id=${encodeURIComponent(trustor)}`, {
      'X-Auth-Token': token,
    });
    if (res.status !== 200) return undefined; // not listable with this token: try to make one
    const { trusts } = (await res.json()) as { trusts: KeystoneTrust[] };
    const candidates = trusts.filter(
      (t) =>
        t.trustee_user_id === trustee &&
        t.project_id === projectId &&
        !t.impersonation &&
        t.remaining_uses === null &&
        (t.expires_at === null || Date.parse(t.expires_at) > Date.now() + 60_000),
    );
    for (const candidate of candidates) {
      // Lists leave the roles out; one made before the roles setting changed may lack some.
      const shown = await session.call('GET', `/OS-TRUST/trusts/${encodeURIComponent(candidate.id)}`, { 'X-Auth-Token': token });
      if (shown.status !== 200) continue;
      const { trust } = (await shown.json()) as { trust: KeystoneTrust };
      const delegated = new Set((trust.roles ?? []).map((role) => role.name));
      if (settings.roles.every((role) => delegated.has(role))) return trust.id;
    }
    return undefined;
  }

  async function obtain(caller: Caller): Promise<ObtainedTrust> {
    const { token, userId: trustor, projectId } = caller;
    if (!token) throw missingCredentials('The request carries no Keystone token to make a trust with.');
    try {
      const { userId: trustee } = await session.service();
      const existing = await reusable(token, trustor, trustee, projectId);
      if (existing) return { credentials: { trust_id: existing, trustor_user_id: trustor }, created: false };
      const res = await session.call(
        'POST',
        '/OS-TRUST/trusts',
        { 'X-Auth-Token': token },
        {
          trust: {
            trustor_user_id: trustor,
            trustee_user_id: trustee,
            project_id: projectId,
            impersonation: false,
            allow_redelegation: false,
            roles,
          },
        },
      );
      if (res.status >= 500) throw new KeystoneUnavailable(`Keystone answered ${res.status} to a trust creation`);
      if (res.status !== 201) {
        throw missingCredentials(
          `Keystone made no trust delegating the roles ${settings.roles.join(', ')} in project ${projectId} ` +
            `to the service user: ${await keystoneMessage(res)}`,
        );
      }
      const { trust } = (await res.json()) as { trust: KeystoneTrust };
      return { credentials: { trust_id: trust.id, trustor_user_id: trust.trustor_user_id }, created: true };
    } catch (err) {
      if (err instanceof KeystoneUnavailable) throw identityUnavailable(err);
      throw err;
    }
  }

  async function remove(trustId: string): Promise<void> {
    try {
      const res = await session.asService('DELETE', `/OS-TRUST/trusts/${encodeURIComponent(trustId)}`);
      // 404: already gone (revoked by its trustor, say), which is what was wanted.
      if (res.status === 204 || res.status === 404) return;
      log.error(
        `Keystone answered ${res.status} to deleting trust ${trustId} (the service user needs the admin role): ${await keystoneMessage(res)}`,
      );
    } catch (err) {
      log.error({ err }, `could not delete trust ${trustId}: ${(err as Error).message}`);
    }
  }

  return { mode: settings.mode, obtain, remove };
}

/** What Keystone said, from its `{"error": {"message"}}` body. */
async function keystoneMessage(res: Response): Promise<string> {
  const text = await res.text();
  try {
    return (JSON.parse(text) as { error: { message: string } }).error.message;
  } catch {
    return text.slice(0, 200) || `status ${res.status}`;
  }
}

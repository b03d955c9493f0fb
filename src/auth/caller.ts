// Who is calling: the one place that knows about identity headers and Keystone tokens. The
// dispatcher asks it for the caller of every operation the spec secures (src/app.ts).
import type Koa from 'koa';
import type { Config } from '../config';
import type { Caller } from '../domain/caller';
import { ApiError, badRequest } from '../errors';
import { KeystoneSession, KeystoneUnavailable, KeystoneValidator, identityUnavailable } from './keystone';

export interface Auth {
  /**
   * The caller of a request to a secured operation; `urlProjectId` is the v2 URL's project (v1
   * has none). Throws 401, 403 or 503 when there is no caller to be had.
   */
  callerOf(ctx: Koa.Context, urlProjectId: string | undefined): Caller | Promise<Caller>;
}

const MAX_ID_LENGTH = 64;
/** noauth's roles when X-Roles is absent: one frozen list, not one per request. */
const MEMBER: readonly string[] = Object.freeze(['member']);
const PROJECT_ID = /^[A-Za-z0-9_.-]+$/;

/** `session`: the server's Keystone session in keystone mode, when it shares one with trusts. */
export function createAuth(auth: Config['auth'], scope: Config['scope'] = 'project', session?: KeystoneSession): Auth {
  // v1 keeps the original's rule (the user's own resources); v2 follows the configured scope.
  const byUser = (urlProjectId: string | undefined) => urlProjectId === undefined || scope === 'user';
  return auth.mode === 'noauth'
    ? noauth(auth.defaultUserId, byUser)
    : keystone(new KeystoneValidator(session ?? new KeystoneSession(auth.keystone)), auth.keystone.url, byUser);
}

type ByUser = (urlProjectId: string | undefined) => boolean;

/**
 * noauth: the user is `X-User-Id` (or `defaultUserId`), the name `X-User-Name`, the roles
 * `X-Roles` (comma-separated; `member` when absent); the credentials' project is `X-Project-Id`
 * (else the URL's), and v1 takes its project from it.
 */
function noauth(defaultUserId: string, byUser: ByUser): Auth {
  return {
    callerOf(ctx, urlProjectId) {
      const userId = header(ctx, 'x-user-id') ?? defaultUserId;
      if (userId.length > MAX_ID_LENGTH) {
        throw badRequest(`header X-User-Id must be at most ${MAX_ID_LENGTH} characters`);
      }
      // The URL's project is checked against the spec's pattern with the other parameters.
      const headerProject = header(ctx, 'x-project-id');
      if (headerProject !== undefined && (headerProject.length > MAX_ID_LENGTH || !PROJECT_ID.test(headerProject))) {
        throw badRequest(`header X-Project-Id must be at most ${MAX_ID_LENGTH} letters, digits, '_', '.' or '-'`);
      }
      const credentialProjectId = headerProject ?? urlProjectId ?? '';
      const userName = header(ctx, 'x-user-name') ?? null;
      if (userName && userName.length > 255) throw badRequest('header X-User-Name must be at most 255 characters');
      const listed = header(ctx, 'x-roles');
      const roles =
        listed === undefined ? MEMBER : listed.split(',').flatMap((role) => (role.trim() === '' ? [] : [role.trim()]));
      return {
        userId,
        projectId: urlProjectId ?? credentialProjectId,
        byUser: byUser(urlProjectId),
        userName,
        roles,
        credentialProjectId,
      };
    },
  };
}

/**
 * keystone: a valid `X-Auth-Token` is required (401 otherwise, with the header that tells
 * clients where to authenticate) and everything comes from it; identity headers sent by the
 * client mean nothing. Which projects' URLs the token may use is the policy's to decide
 * (src/auth/policy.ts): its project's, for a member; any, for admin and service.
 */
function keystone(validator: KeystoneValidator, keystoneUrl: string, byUser: ByUser): Auth {
  const unauthorized = () =>
    new ApiError(401, 'The request you have made requires authentication.', {
      headers: { 'WWW-Authenticate': `Keystone uri="${keystoneUrl}"` },
    });
  return {
    async callerOf(ctx, urlProjectId) {
      const token = header(ctx, 'x-auth-token');
      if (!token) throw unauthorized();
      const identity = await validator.validate(token).catch((err: unknown) => {
        if (!(err instanceof KeystoneUnavailable)) throw err;
        throw identityUnavailable(err);
      });
      if (!identity) throw unauthorized();
      if (!identity.projectId) throw new ApiError(403, 'The token is not scoped to a project.');
      return {
        userId: identity.userId,
        projectId: urlProjectId ?? identity.projectId,
        byUser: byUser(urlProjectId),
        userName: identity.userName,
        roles: identity.roles,
        credentialProjectId: identity.projectId,
        token,
      };
    },
  };
}

function header(ctx: Koa.Context, name: string): string | undefined {
  const value = ctx.get(name).trim();
  return value === '' ? undefined : value;
}

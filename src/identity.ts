// Who is calling, and which user/project every read and write is scoped to. The only place that
// knows about identity headers and Keystone tokens.
import type Koa from 'koa';
import { type KeystoneValidator, KeystoneUnavailable, type TokenIdentity } from './auth/keystone';
import type { Config } from './config';
import { ApiError, badRequest } from './errors';

/** The owner of a resource. `projectId` is '' for v1 requests made without a project. */
export interface Scope {
  userId: string;
  projectId: string;
}

export interface Caller extends Scope {
  /** Recorded on uploaded backups; null when unknown. */
  userName: string | null;
}

export type CallerOf = (ctx: Koa.Context, urlProjectId?: string) => Caller;

const MAX_ID_LENGTH = 64;
const PROJECT_ID = /^[A-Za-z0-9_.-]+$/;

/** `callerOf` for the configured mode. In v2 `urlProjectId` is the URL's project; v1 has none. */
export function createIdentity(auth: Config['auth']): CallerOf {
  return auth.mode === 'noauth' ? noauthCaller(auth.defaultUserId) : keystoneCaller(auth.adminRole);
}

/**
 * noauth: the user is `X-User-Id` (or `defaultUserId`), the name `X-User-Name`; v1 takes its
 * project from `X-Project-Id` when one is sent.
 */
function noauthCaller(defaultUserId: string): CallerOf {
  return (ctx, urlProjectId) => {
    const userId = header(ctx, 'x-user-id') ?? defaultUserId;
    if (userId.length > MAX_ID_LENGTH) {
      throw badRequest(`header X-User-Id must be at most ${MAX_ID_LENGTH} characters`);
    }
    const projectId = urlProjectId ?? header(ctx, 'x-project-id') ?? '';
    if (projectId && (projectId.length > MAX_ID_LENGTH || !PROJECT_ID.test(projectId))) {
      throw badRequest(`header X-Project-Id must be at most ${MAX_ID_LENGTH} letters, digits, '_', '.' or '-'`);
    }
    const userName = header(ctx, 'x-user-name') ?? null;
    if (userName && userName.length > 255) throw badRequest('header X-User-Name must be at most 255 characters');
    return { userId, projectId, userName };
  };
}

/**
 * keystone: everything comes from the validated token (set by `authenticate`); identity headers
 * sent by the client mean nothing. A v2 URL must name the token's project, unless the token
 * carries the admin role (the original never checked, letting anyone use any project's URLs).
 */
function keystoneCaller(adminRole: string): CallerOf {
  return (ctx, urlProjectId) => {
    const token = ctx.state.token as TokenIdentity;
    if (!token.projectId) throw forbidden('The token is not scoped to a project.');
    if (urlProjectId !== undefined && urlProjectId !== token.projectId && !token.roles.includes(adminRole)) {
      throw forbidden(`The token is scoped to project ${token.projectId}, not ${urlProjectId}.`);
    }
    return { userId: token.userId, projectId: urlProjectId ?? token.projectId, userName: token.userName };
  };
}

/**
 * keystone: requests under /v1 and /v2 need a valid `X-Auth-Token` (401 otherwise, with the
 * header that tells clients where to authenticate); `/`, `/healthcheck` stay public.
 */
export function authenticate(validator: KeystoneValidator, keystoneUrl: string): Koa.Middleware {
  const unauthorized = () =>
    new ApiError(401, 'The request you have made requires authentication.', {
      headers: { 'WWW-Authenticate': `Keystone uri="${keystoneUrl}"` },
    });
  return async (ctx, next) => {
    if (!/^\/v[12](\/|$)/.test(ctx.path)) return next();
    const token = header(ctx, 'x-auth-token');
    if (!token) throw unauthorized();
    let identity: TokenIdentity | null;
    try {
      identity = await validator.validate(token);
    } catch (err) {
      if (!(err instanceof KeystoneUnavailable)) throw err;
      throw new ApiError(503, 'The identity service cannot be reached; try again later.', { cause: err });
    }
    if (!identity) throw unauthorized();
    ctx.state.token = identity;
    return next();
  };
}

const forbidden = (description: string) => new ApiError(403, description);

function header(ctx: Koa.Context, name: string): string | undefined {
  const value = ctx.get(name).trim();
  return value === '' ? undefined : value;
}

// Who is calling, and which user/project every read and write is scoped to (noauth mode).
import type Koa from 'koa';
import { badRequest } from './errors';

/** The owner of a resource. `projectId` is '' for v1 requests made without a project. */
export interface Scope {
  userId: string;
  projectId: string;
}

export interface Caller extends Scope {
  /** Recorded on uploaded backups; null when the caller did not say. */
  userName: string | null;
}

const MAX_ID_LENGTH = 64;
const PROJECT_ID = /^[A-Za-z0-9_.-]+$/;

/**
 * noauth: the user is `X-User-Id` (or `defaultUserId`), the name `X-User-Name`. In v2 the project is
 * the URL's; v1 has no project segment, so it takes `X-Project-Id` when one is sent.
 */
export function createIdentity(defaultUserId: string) {
  return function callerOf(ctx: Koa.Context, urlProjectId?: string): Caller {
    const userId = header(ctx, 'x-user-id') ?? defaultUserId;
    if (userId.length > MAX_ID_LENGTH) {
      throw badRequest(`header X-User-Id must be at most ${MAX_ID_LENGTH} characters`);
    }
    const projectId = urlProjectId ?? header(ctx, 'x-project-id') ?? '';
    if (projectId && (projectId.length > MAX_ID_LENGTH || !PROJECT_ID.test(projectId))) {
      throw badRequest(
        `header X-Project-Id must be at most ${MAX_ID_LENGTH} letters, digits, '_', '.' or '-'`,
      );
    }
    return { userId, projectId, userName: header(ctx, 'x-user-name') ?? null };
  };
}

export type CallerOf = ReturnType<typeof createIdentity>;

function header(ctx: Koa.Context, name: string): string | undefined {
  const value = ctx.get(name).trim();
  return value === '' ? undefined : value;
}

// Validates callers' Keystone tokens (GET /v3/auth/tokens as the service user), with a bounded
// cache so that a busy scheduler costs Keystone one validation per token, not one per request;
// and the service user's session with Keystone that validation and trusts share.
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { unavailable } from '../errors';

export interface KeystoneSettings {
  /** Keystone's v3 URL, such as http://127.0.0.1:5000/v3 (also sent in WWW-Authenticate). */
  url: string;
  username: string;
  password: string;
  projectName: string;
  userDomainName: string;
  projectDomainName: string;
  /** How long one call to Keystone may take before the API answers 503. */
  timeoutMs: number;
  /** How long a valid token is trusted without asking again (capped by its expiry). */
  cacheSeconds: number;
  /** How long an invalid token is remembered as invalid. */
  negativeCacheSeconds: number;
  cacheSize: number;
}

/** Who a valid token speaks for. */
export interface TokenIdentity {
  userId: string;
  userName: string | null;
  /** Undefined for tokens not scoped to a project. */
  projectId?: string;
  roles: string[];
}

/** Keystone could not be asked (down, slow, or refusing our service credentials). */
export class KeystoneUnavailable extends Error {}

/** The 503 the API answers when Keystone could not be asked; `cause` is logged with it. */
export const identityUnavailable = (cause: KeystoneUnavailable) =>
  unavailable('The identity service cannot be reached; try again later.', cause);

type Verdict = { identity: TokenIdentity } | { invalid: true };

interface TokenBody {
  token: {
    user: { id: string; name?: string };
    project?: { id: string };
    roles?: { name: string }[];
    expires_at: string;
  };
}

/**
 * The server's side of a conversation with Keystone: its own service token (issued when first
 * needed, renewed before it expires) and the HTTP calls, each bounded by the timeout. Shared by
 * the token validator and the trusts client (src/auth/trusts.ts).
 */
/** What token validation has done since the start, for the metrics (src/metrics.ts). */
export interface ValidationCounts {
  /** Tokens Keystone was asked about. */
  asked: number;
  /** Tokens answered from the cache (valid or invalid), without asking Keystone. */
  cacheHits: number;
  /** Tokens Keystone said were not valid. */
  invalid: number;
}

export class KeystoneSession {
  private serviceToken?: { token: string; userId: string; refreshAfter: number };
  readonly validations: ValidationCounts = { asked: 0, cacheHits: 0, invalid: 0 };

  constructor(readonly settings: KeystoneSettings) {}

  /** The service user's token and user id (the trustee of the central scheduler's trusts). */
  async service(): Promise<{ token: string; userId: string }> {
    if (this.serviceToken && Date.now() < this.serviceToken.refreshAfter) return this.serviceToken;
    const { username, password, projectName, userDomainName, projectDomainName } = this.settings;
    const res = await this.call(
      'POST',
      '/auth/tokens?nocatalog',
      { 'Content-Type': 'application/json' },
      {
        auth: {
          identity: { methods: ['password'], password: { user: { name: username, domain: { name: userDomainName }, password } } },
          scope: { project: { name: projectName, domain: { name: projectDomainName } } },
        },
      },
    );
    const token = res.headers.get('x-subject-token');
    if (res.status !== 201 || !token) {
      throw new KeystoneUnavailable(`Keystone refused the service credentials (${res.status}); check the keystone settings`);
    }
    const { token: body } = (await res.json()) as TokenBody;
    // Renew a minute early (or halfway, for very short-lived tokens).
    const lifetime = Date.parse(body.expires_at) - Date.now();
    this.serviceToken = { token, userId: body.user.id, refreshAfter: Date.now() + Math.max(lifetime - 60_000, lifetime / 2) };
    return this.serviceToken;
  }

  /** A call made with the service token, made again once with a new one if Keystone says it is no longer valid. */
  async asService(method: string, path: string, headers: Record<string, string> = {}, body?: unknown): Promise<Response> {
    const res = await this.call(method, path, { 'X-Auth-Token': (await this.service()).token, ...headers }, body);
    if (res.status !== 401) return res;
    // Our own token expired or was revoked: get a new one, once.
    this.serviceToken = undefined;
    return this.call(method, path, { 'X-Auth-Token': (await this.service()).token, ...headers }, body);
  }

  async call(method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<Response> {
    try {
      return await fetch(this.settings.url.replace(/\/$/, '') + path, {
        method,
        headers: {
          Accept: 'application/json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
    } catch (err) {
      throw new KeystoneUnavailable(`Keystone at ${this.settings.url} cannot be reached: ${(err as Error).message}`);
    }
  }
}

export class KeystoneValidator {
  private readonly cache: LRUCache<string, Verdict>;
  /** Validations under way, so concurrent requests with one token ask Keystone once. */
  private readonly pending = new Map<string, Promise<Verdict>>();

  constructor(private readonly session: KeystoneSession) {
    this.cache = new LRUCache({ max: session.settings.cacheSize, ttlAutopurge: false });
  }

  /** The token's identity, or null when Keystone says the token is not valid. */
  async validate(token: string): Promise<TokenIdentity | null> {
    const key = createKey(token);
    let verdict = this.cache.get(key);
    if (verdict) this.session.validations.cacheHits++;
    else {
      let pending = this.pending.get(key);
      if (!pending) {
        pending = this.ask(token, key).finally(() => this.pending.delete(key));
        this.pending.set(key, pending);
      }
      verdict = await pending;
    }
    return 'identity' in verdict ? verdict.identity : null;
  }

  private async ask(token: string, key: string): Promise<Verdict> {
    const { settings } = this.session;
    this.session.validations.asked++;
    const res = await this.session.asService('GET', '/auth/tokens?nocatalog', { 'X-Subject-Token': token });
    if (res.status === 404) {
      this.session.validations.invalid++;
      const verdict: Verdict = { invalid: true };
      this.cache.set(key, verdict, { ttl: settings.negativeCacheSeconds * 1000 });
      return verdict;
    }
    if (res.status !== 200) {
      throw new KeystoneUnavailable(`Keystone answered ${res.status} to a token validation (check the service user's roles)`);
    }
    const { token: body } = (await res.json()) as TokenBody;
    // A trust-scoped token (the central scheduler's) names the trust's project and carries only
    // the roles the trust delegates: it is taken like any project token.
    const identity: TokenIdentity = {
      userId: body.user.id,
      userName: body.user.name ?? null,
      projectId: body.project?.id,
      roles: (body.roles ?? []).map((r) => r.name),
    };
    const untilExpiry = Date.parse(body.expires_at) - Date.now();
    const ttl = Math.min(settings.cacheSeconds * 1000, untilExpiry);
    const verdict: Verdict = { identity };
    if (ttl > 0) this.cache.set(key, verdict, { ttl });
    return verdict;
  }
}

/** Cache keys are digests: no raw tokens are kept in memory. */
const createKey = (token: string) => createHash('sha256').update(token).digest('base64');

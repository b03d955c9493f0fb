// The errors the server answers with; src/http/render-errors.ts turns each into the spec's Error body.

/**
 * The title of every error, by status. The spec calls titles stable enough to branch on, and its
 * error examples use exactly these (test/spec/spec.test.ts checks).
 */
export const TITLES = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Access Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Document already existing',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
} as const;

/** The other titles, as the original names them: a 400 for a request body that is not JSON, */
export const MALFORMED_JSON = 'Malformed JSON';
/** and a 422 for a job that needs a Keystone trust the server could not make. */
export const MISSING_CREDENTIALS = 'Missing required credentials';

export type ErrorStatus = keyof typeof TITLES;

export interface ApiErrorOptions {
  /** Only these two have a title other than their status's. */
  title?: typeof MALFORMED_JSON | typeof MISSING_CREDENTIALS;
  /** Extra response headers, such as `Allow` on a 405. */
  headers?: Record<string, string>;
  /** What went wrong underneath a 5xx: logged with it, never sent. */
  cause?: unknown;
}

/** An error the client caused or may see: rendered as `{title, description}` with `status`. */
export class ApiError extends Error {
  readonly title: string;
  readonly headers: Record<string, string>;

  constructor(
    readonly status: ErrorStatus,
    description: string,
    options: ApiErrorOptions = {},
  ) {
    super(description, { cause: options.cause });
    this.title = options.title ?? TITLES[status];
    this.headers = options.headers ?? {};
  }
}

export const badRequest = (description: string) => new ApiError(400, description);

export const notFound = (description: string) => new ApiError(404, description);

export const conflict = (description: string) => new ApiError(409, description);

export const unprocessable = (description: string) => new ApiError(422, description);

/** A caller whose roles do not allow the operation (policy), as upstream words it. */
export const forbidden = (description = 'You are not allowed to access this resource') => new ApiError(403, description);
/** 422 Missing required credentials: a job needed a trust and Keystone would not make one. */
export const missingCredentials = (description: string) => new ApiError(422, description, { title: MISSING_CREDENTIALS });

/** Seconds a client should wait before trying again after a 503. */
export const RETRY_AFTER_SECONDS = 2;

/** 503 with Retry-After: the database (or another service) cannot serve now; nothing was done. */
export const unavailable = (description: string, cause?: unknown) =>
  new ApiError(503, description, { headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) }, cause });

export const DATABASE_UNAVAILABLE = 'The database is unavailable; try again later.';

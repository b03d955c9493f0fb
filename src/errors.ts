// The errors handlers throw; src/http/render-errors.ts turns each into the spec's Error body.

/** An error the client caused or may see: rendered as `{title, description}` with `status`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    description: string,
    /** Extra response headers, such as `Allow` on a 405. */
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
  }
}

export const badRequest = (description: string, title = 'Bad Request') =>
  new ApiError(400, title, description);

export const notFound = (description: string) => new ApiError(404, 'Not Found', description);

export const conflict = (description: string) =>
  new ApiError(409, 'Document already existing', description);

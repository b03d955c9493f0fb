// Request ids as OpenStack services send them: every response carries
// `x-openstack-request-id: req-<uuid4>`, the same id is in the request's log line and in the
// description of a 5xx, so that a user can quote it to an operator. An incoming id of that form
// (one service calling another) is kept; anything else is replaced, never echoed.
import { randomUUID } from 'node:crypto';
import type http from 'node:http';

export const REQUEST_ID_HEADER = 'x-openstack-request-id';

const WELL_FORMED = /^req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const ID = Symbol('requestId');
type Identified = http.IncomingMessage & { [ID]?: string };

/** Gives the request its id and sets the response header; called first, for every request. */
export function assignRequestId(req: http.IncomingMessage, res: http.ServerResponse): string {
  const incoming = req.headers[REQUEST_ID_HEADER];
  const id = typeof incoming === 'string' && WELL_FORMED.test(incoming) ? incoming : newRequestId();
  (req as Identified)[ID] = id;
  res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

export const newRequestId = (): string => `req-${randomUUID()}`;

/** The id `assignRequestId` gave the request. */
export const requestIdOf = (req: http.IncomingMessage): string => (req as Identified)[ID] ?? 'req-unknown';

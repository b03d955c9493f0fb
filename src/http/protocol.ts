// The HTTP layer's own answers, before a request reaches Koa: requests Node's parser refuses
// (oversized headers, bad framing, unknown methods, clients too slow to send a request) and the
// limits this server adds (a Host on HTTP/1.1, the length of the URL). All carry the spec's
// Error body, and close the connection, as a client that sent such a request cannot be trusted
// to frame the next one.
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { TITLES, type ErrorStatus } from '../errors';
import type { HttpLimits } from '../config';
import type { ServingSocket } from './drain';
import { newRequestId, REQUEST_ID_HEADER } from './request-id';
import type { RequestLog } from './request-log';

/** The header section (after the request line), as Node's parser counts it: 431 beyond. */
export const MAX_HEADER_BYTES = 16 * 1024;
/** Longer URLs are refused with 414: the longest this API needs is a few hundred bytes. */
export const MAX_URL_BYTES = 8192;

/** Headers every response carries, from Koa or from here. */
export const SECURITY_HEADERS = { 'X-Content-Type-Options': 'nosniff' } as const;

/** Node's server options for these limits; timeouts are checked every second, not every 30. */
export function serverOptions(limits: HttpLimits): http.ServerOptions {
  return {
    maxHeaderSize: MAX_HEADER_BYTES,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
    // Checked in `refusal` instead, so that the answer is JSON.
    requireHostHeader: false,
  };
}

/** What to answer a request this layer refuses before routing, or undefined to go on. */
export function refusal(req: http.IncomingMessage): [ErrorStatus, string] | undefined {
  if (req.httpVersion === '1.1' && req.headers.host === undefined) return [400, 'HTTP/1.1 requests must send a Host header.'];
  if (req.url !== undefined && req.url.length > MAX_URL_BYTES) {
    return [414, `The URL is ${req.url.length} bytes long; the limit is ${MAX_URL_BYTES}.`];
  }
  return undefined;
}

export function sendRefusal(res: http.ServerResponse, [status, description]: [ErrorStatus, string]): void {
  const body = errorBody(status, description);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    Connection: 'close',
  });
  res.end(body);
}

/** A `clientError` listener: Node's parser refused the bytes, or the client was too slow. */
export function answerClientError(
  limits: HttpLimits,
  requests: RequestLog,
): (err: Error & { code?: string; reason?: string }, socket: Duplex) => void {
  return (err, socket) => {
    const response = (socket as ServingSocket)._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || response?.headersSent) {
      socket.destroy();
      return;
    }
    const [status, description] = describeClientError(err, limits);
    const body = errorBody(status, description);
    const requestId = newRequestId();
    socket.end(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Content-Type-Options: nosniff\r\n${REQUEST_ID_HEADER}: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
    requests.refused(undefined, undefined, status, requestId);
  };
}

function describeClientError(err: Error & { code?: string; reason?: string }, limits: HttpLimits): [ErrorStatus, string] {
  switch (err.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [
        408,
        `The request did not arrive in time: headers are awaited ${limits.headersTimeoutMs / 1000} s, ` +
          `the whole request ${limits.requestTimeoutMs / 1000} s.`,
      ];
    case 'HPE_HEADER_OVERFLOW':
      return [431, `The request headers exceed ${MAX_HEADER_BYTES} bytes.`];
    case 'HPE_INVALID_METHOD':
      return [400, 'The request names a method this server does not know.'];
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return [400, 'The request sends both Content-Length and Transfer-Encoding.'];
    default:
      return [400, `The request is not valid HTTP/1.1: ${err.reason ?? err.code ?? 'unreadable'}.`];
  }
}

const errorBody = (status: ErrorStatus, description: string) => JSON.stringify({ title: TITLES[status], description });

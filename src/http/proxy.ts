// FREEZER_API_TRUST_PROXY: behind a TLS-terminating proxy the links the server writes (version
// discovery) should name the address the client used, not the one the proxy connected to, as
// oslo.middleware's http_proxy_to_wsgi does for the original. Off by default: a client that
// reaches the server directly could otherwise make it write any host into its answers.
import type Koa from 'koa';

const PROTO = /^https?$/i;
/** A host name, IPv4 or bracketed IPv6 address, with an optional port: nothing that could break a URL. */
const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;
const PREFIX = /^(?:\/[A-Za-z0-9._~-]+)+$/;

/** `proto` and `host` of the first (the client's) element of an RFC 7239 Forwarded header. */
function forwarded(header: string): { proto?: string; host?: string } {
  const first = header.split(',')[0]!;
  const found: { proto?: string; host?: string } = {};
  for (const pair of first.split(';')) {
    const at = pair.indexOf('=');
    if (at < 0) continue;
    const name = pair.slice(0, at).trim().toLowerCase();
    const value = pair
      .slice(at + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    if (name === 'proto' || name === 'host') found[name] = value;
  }
  return found;
}

const firstOf = (value: string) => value.split(',')[0]!.trim();

/**
 * The scheme, host and path prefix clients reach the server at: with `trustProxy`, from
 * `Forwarded`, else `X-Forwarded-Proto`/`-Host`, and `X-Forwarded-Prefix`; each value that is
 * malformed is ignored. Without it, the request's own.
 */
export function publicBase(ctx: Koa.Context, trustProxy: boolean): string {
  let proto = ctx.protocol;
  let host = ctx.host;
  let prefix = '';
  if (trustProxy) {
    const standard = forwarded(ctx.get('forwarded'));
    const claimedProto = standard.proto ?? firstOf(ctx.get('x-forwarded-proto'));
    const claimedHost = standard.host ?? firstOf(ctx.get('x-forwarded-host'));
    const claimedPrefix = firstOf(ctx.get('x-forwarded-prefix')).replace(/\/+$/, '');
    if (PROTO.test(claimedProto)) proto = claimedProto.toLowerCase();
    if (HOST.test(claimedHost)) host = claimedHost;
    if (PREFIX.test(claimedPrefix)) prefix = claimedPrefix;
  }
  return `${proto}://${host}${prefix}`;
}

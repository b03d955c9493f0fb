// The links a reply carries besides its body, worked out from the route table once:
//  - `Location` on a 201: the URL of the item created or replaced, the GET operation whose path
//    is the 201's own (POST /jobs/{job_id}) or the 201's with one more parameter
//    (POST /jobs → GET /jobs/{job_id}), filled with the id the body names by that parameter.
//  - `Link: <…>; rel="next"` on a full page of a list (an operation taking `limit` and `marker`):
//    the request's query with `marker` the last item's id (the field named like the item GET's
//    parameter, in the item or one level down), `offset` dropped, and a body search moved into
//    `search`.
// Both are absolute, on the address the client used (src/http/proxy.ts).
import type Koa from 'koa';
import { combinedSearch, type Search } from '../domain/search';
import { DEFAULT_PAGE } from '../db/paging';
import { publicBase } from '../http/proxy';
import type { Route } from './dispatch';

/** What a route's replies link to: its item's path template, and the parameter naming the item. */
interface ItemLink {
  template: string;
  idParam: string;
}

export interface ReplyLinks {
  /** Sets the reply's Location or Link header when its route has one. */
  add(ctx: Koa.Context, route: Route, request: LinkedRequest, reply: LinkedReply): void;
}

export interface LinkedReply {
  status: number;
  body?: unknown;
  /** A list's items, values or JSON text (src/db/json-text.ts). */
  page?: readonly unknown[];
}

export interface LinkedRequest {
  params: Record<string, string>;
  query: { limit?: number; search?: Search };
  body: unknown;
}

export function createReplyLinks(routes: Route[], trustProxy: boolean): ReplyLinks {
  const itemGets = new Map<string, string>(); // template → its last parameter, for GETs ending in one
  for (const route of routes) {
    const last = /\/\{([^}]+)\}$/.exec(route.template);
    if (route.operation.method === 'get' && last) itemGets.set(route.template, last[1]!);
  }
  const itemOf = (template: string): ItemLink | undefined => {
    if (itemGets.has(template)) return { template, idParam: itemGets.get(template)! };
    for (const [item, idParam] of itemGets) if (item === `${template}/{${idParam}}`) return { template: item, idParam };
    return undefined;
  };
  const created = new Map<Route, ItemLink>();
  const listed = new Map<Route, ItemLink>();
  for (const route of routes) {
    const statuses = Object.keys(route.operation.responses ?? {});
    if (statuses.includes('201')) {
      const item = itemOf(route.template);
      if (!item) throw new Error(`links: ${route.operationId} answers 201 but no GET reads what it made`);
      created.set(route, item);
    }
    if (route.operation.method === 'get' && route.query.has('limit') && route.query.has('marker')) {
      const item = itemOf(route.template);
      if (!item) throw new Error(`links: ${route.operationId} is a list but no GET reads its items`);
      listed.set(route, item);
    }
  }

  return {
    add(ctx, route, request, { status, body, page }) {
      if (status === 201) {
        const item = created.get(route);
        const id = item && idIn(body, item.idParam);
        if (id !== undefined) {
          ctx.set('Location', publicBase(ctx, trustProxy) + fill(item!.template, { ...request.params, [item!.idParam]: id }));
        }
        return;
      }
      const item = status === 200 ? listed.get(route) : undefined;
      if (!item) return;
      const limit = request.query.limit ?? DEFAULT_PAGE.limit;
      if (!page || page.length < limit) return;
      const last = page[page.length - 1];
      const marker = typeof last === 'string' ? idInText(last, item.idParam) : idIn(last, item.idParam);
      if (marker === undefined) return;
      const query = new URLSearchParams(ctx.querystring);
      query.delete('offset');
      query.set('marker', marker);
      const search = combinedSearch(request.body as Search | undefined, request.query.search);
      if (search) query.set('search', JSON.stringify(search));
      else query.delete('search');
      ctx.set('Link', `<${publicBase(ctx, trustProxy)}${ctx.path}?${query.toString()}>; rel="next"`);
    },
  };
}

/**
 * The id in a page item's JSON text: read off its first member when that is the id, as the
 * repositories write them (src/db/json-text.ts), for parsing a whole document per page
 * cost more than the rest of the link; else from the parsed item.
 */
function idInText(text: string, field: string): string | undefined {
  const lead = `{${JSON.stringify(field)}:"`;
  if (text.startsWith(lead)) {
    const end = text.indexOf('"', lead.length);
    const value = text.slice(lead.length, end);
    if (end > 0 && !value.includes('\\')) return value; // an escape: let JSON.parse read it
  }
  return idIn(JSON.parse(text), field);
}

/** The string `field` of `body`, or of an object in it (a client keeps its id in `client.client_id`). */
function idIn(body: unknown, field: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as Record<string, unknown>)[field];
  if (typeof value === 'string') return value;
  for (const nested of Object.values(body)) {
    const inner = typeof nested === 'object' && nested !== null ? (nested as Record<string, unknown>)[field] : undefined;
    if (typeof inner === 'string') return inner;
  }
  return undefined;
}

const fill = (template: string, params: Record<string, string>) =>
  template.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(params[name]!));

// openapi-backend matches every request by rebuilding its whole operation list and compiling a
// RegExp per operation (its cost grows with the spec: ~60 operations here). This swaps in a
// matcher built once from the same operations, with the same answers: exact paths first, then
// templates by specificity (most literal characters first), 404 for no path, 405 for no method.
// test/unit/fast-router.test.ts checks it against the stock matcher for every path and method.
import type OpenAPIBackend from 'openapi-backend';
import type { Operation } from 'openapi-backend';

interface Node {
  literal: Map<string, Node>;
  param?: Node;
  /** Templates ending here, in definition order. */
  templates: { specificity: number; order: number; byMethod: Map<string, Operation> }[];
}

const newNode = (): Node => ({ literal: new Map(), templates: [] });

export function precompileRouter(api: OpenAPIBackend): void {
  const router = api.router;
  const exact = new Map<string, Map<string, Operation>>();
  const root = newNode();
  const templates = new Map<string, Node['templates'][number]>();

  router.getOperations().forEach((operation, order) => {
    const path = operation.path;
    if (!exact.has(path)) exact.set(path, new Map());
    exact.get(path)!.set(operation.method, operation);
    let template = templates.get(path);
    if (!template) {
      template = { specificity: path.replace(/\{.*?\}/g, '').length, order, byMethod: new Map() };
      templates.set(path, template);
      let node = root;
      for (const segment of path.split('/').slice(1)) {
        if (/^\{[^}]+\}$/.test(segment)) node = node.param ??= newNode();
        else if (segment.includes('{')) throw new Error(`precompileRouter: unsupported path template ${path}`);
        else node = node.literal.get(segment) ?? node.literal.set(segment, newNode()).get(segment)!;
      }
      node.templates.push(template);
    }
    template.byMethod.set(operation.method, operation);
  });

  router.matchOperation = ((request: Parameters<typeof router.matchOperation>[0], strict?: boolean) => {
    const req = router.normalizeRequest(request);
    const fail = (message: string) => {
      if (strict) throw Error(message);
      return undefined;
    };
    // isUnderApiRoot is private in the typings but part of the stock matcher's contract.
    const underRoot = (router as unknown as { isUnderApiRoot(path: string): boolean }).isUnderApiRoot(req.path);
    if (!underRoot) return fail('404-notFound: no route matches request');
    const path = router.normalizePath(req.path);
    const found = exact.get(path)?.get(req.method);
    if (found) return found;
    const matches: Node['templates'] = [];
    collect(root, path.split('/').slice(1), 0, matches);
    if (matches.length === 0) return fail('404-notFound: no route matches request');
    matches.sort((a, b) => b.specificity - a.specificity || a.order - b.order);
    for (const match of matches) {
      const operation = match.byMethod.get(req.method);
      if (operation) return operation;
    }
    return fail('405-methodNotAllowed: this method is not registered for the route');
  }) as typeof router.matchOperation;
}

/** Every template the segments match; a parameter matches one non-empty segment. */
function collect(node: Node, segments: string[], index: number, out: Node['templates']): void {
  if (index === segments.length) {
    out.push(...node.templates);
    return;
  }
  const segment = segments[index]!;
  const literal = node.literal.get(segment);
  if (literal) collect(literal, segments, index + 1, out);
  if (node.param && segment !== '') collect(node.param, segments, index + 1, out);
}

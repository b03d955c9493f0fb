// fast-check arbitraries built from spec/openapi.yaml: for any operation, requests whose path
// parameters, query parameters, headers and JSON bodies are drawn from the spec's own schemas, in
// three flavours:
//   valid    what the schema allows (with values the running server knows mixed in: `World.hints`);
//   near     valid but for one thing at a boundary: a number one past its limit, a string one
//            character too long, a required field left out, an extra one, a wrong enum member;
//   mutated  valid but for one wild thing: a wrong type, a null, nesting past the server's depth
//            limit, a huge string, hostile unicode (astral, RTL, NUL, lone surrogates, escaped in
//            the JSON), odd keys (__proto__), broken JSON text, odd percent-encodings, slashes and
//            dots in ids, repeated and bracketed query parameters.
// The "one thing" may sit at any depth of a body. Content types are always the operation's own
// (or none): odd media types are test/http/bad-input.test.ts's business.
import fc from 'fast-check';
import type OpenAPIBackend from 'openapi-backend';

/** The parts of a (dereferenced) OpenAPI 3.0 schema the arbitraries read. */
export interface Schema {
  type?: 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array';
  enum?: unknown[];
  nullable?: boolean;
  readOnly?: boolean;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  minProperties?: number;
  maxProperties?: number;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
}

export type Flavour = 'valid' | 'near' | 'mutated';

export interface SpecParameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: Schema;
  /** Declared with `content: application/json` (the `search` query parameter): its value is JSON text. */
  json: boolean;
}

export interface SpecOperation {
  operationId: string;
  method: string;
  /** The path template, such as /v2/{project_id}/jobs/{job_id}. */
  template: string;
  parameters: SpecParameter[];
  body?: { required: boolean; media: { type: string; schema: Schema }[] };
  /** The media types of its 2xx and 3xx answers. */
  produces: string[];
}

/** Every operation of the spec, as openapi-backend loaded it (dereferenced). */
export function specOperations(api: OpenAPIBackend): SpecOperation[] {
  return api.router.getOperations().map((op) => {
    const parameters = (op.parameters ?? []).flatMap((p): SpecParameter[] => {
      if ('$ref' in p || (p.in !== 'path' && p.in !== 'query' && p.in !== 'header')) return [];
      const content = p.content?.['application/json'];
      const schema = (content?.schema ?? p.schema ?? {}) as Schema;
      return [{ name: p.name, in: p.in, required: Boolean(p.required), schema, json: content !== undefined }];
    });
    const requestBody = op.requestBody as { required?: boolean; content?: Record<string, { schema?: Schema }> } | undefined;
    const body = requestBody?.content && {
      required: Boolean(requestBody.required),
      media: Object.entries(requestBody.content).map(([type, m]) => ({ type, schema: m.schema ?? {} })),
    };
    const produces = Object.entries(op.responses ?? {})
      .filter(([status]) => /^[23]/.test(status))
      .flatMap(([, r]) => Object.keys((r as { content?: object }).content ?? {}));
    return { operationId: op.operationId!, method: op.method.toUpperCase(), template: op.path, parameters, body, produces };
  });
}

/**
 * A piece of a request's URL: text sent as it is, or something the request's context knows (an
 * existing resource's id, by path parameter name), chosen when the request is sent.
 */
export type Slot = string | { known: string; pick: number };

/** A generated request, before the ids it names are resolved. */
export interface RequestPlan {
  operationId: string;
  flavour: Flavour;
  /** The index of the World's context it acts in. */
  context: number;
  method: string;
  /** Concatenated: the path, then `?` and the query string when there is one. */
  url: Slot[];
  headers: Record<string, string>;
  body?: BodyPlan;
}

export interface BodyPlan {
  /** Absent: sent without Content-Type (which the server reads as JSON). */
  contentType?: string;
  text: string;
  /** Bytes that are not UTF-8, spliced into the text's UTF-8 at `at` (a UTF-16 offset of `text`). */
  splice?: { at: number; bytes: number[] };
}

/** A caller, and what it can reach. */
export interface Context {
  /** Its identity headers (noauth). */
  headers: Record<string, string>;
  /**
   * What path parameters (and list markers) may name for this caller, by parameter name
   * (`project_id`, `job_id`, …): projects and resources that exist. Live: read when a request is
   * resolved, so the test may add and remove ids as it goes.
   */
  known: Record<string, readonly string[]>;
  /** How often requests act in this context, relative to the others (default 1). */
  weight?: number;
  /** The operations it acts on, by path template (all when absent). */
  paths?: RegExp;
}

/** What the running server knows, for the arbitraries to aim at. */
export interface World {
  /**
   * The callers requests act as, each with the ids it can reach, so that a request's ids are
   * mostly its caller's: a session and one of its jobs, a v1 user and their own documents.
   */
  contexts: Context[];
  /**
   * Valid values a schema cannot guess (registered client ids, existing job ids, supported modes),
   * by the name of the property, query parameter or header holding them: drawn four times as often
   * as the schema's own values. (Path parameters take theirs from the contexts.)
   */
  hints: Record<string, fc.Arbitrary<unknown>>;
  /**
   * Like hints, but the only valid values (the schema's own then appear in near-valid and mutated
   * requests only): what the server requires beyond the schema, such as a client's capabilities.
   */
  only?: Record<string, fc.Arbitrary<unknown>>;
}

export interface ResolvedRequest {
  method: string;
  /** Percent-encoded already: send it as it is. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

/** The request a plan stands for, with the ids it names taken from its context as it is now. */
export function resolve(plan: RequestPlan, world: World): ResolvedRequest {
  const known = world.contexts[plan.context]?.known ?? {};
  const path = plan.url
    .map((slot) => {
      if (typeof slot === 'string') return slot;
      const ids = known[slot.known] ?? [];
      return ids.length ? encodeURIComponent(ids[slot.pick % ids.length]!) : 'no-such-id';
    })
    .join('');
  const headers = { ...plan.headers };
  let body: Buffer | undefined;
  if (plan.body) {
    const { text, splice, contentType } = plan.body;
    body = splice
      ? Buffer.concat([Buffer.from(text.slice(0, splice.at)), Buffer.from(splice.bytes), Buffer.from(text.slice(splice.at))])
      : Buffer.from(text);
    if (contentType !== undefined) headers['Content-Type'] = contentType;
  }
  return { method: plan.method, path, headers, body };
}

// ---- values from schemas ---------------------------------------------------------------------

/** Strings that have broken parsers, encoders and databases before. */
const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800', // lone high surrogate
  '\udfff', // lone low surrogate
  'x\ud83d',
  '\ud83d\ude00',
  '\u{1d11e}', // astral
  '\u202eevil', // right-to-left override
  'مرحبا بالعالم',
  'שלום',
  'e\u0301',
  '\ufeff',
  '\u2028\u2029',
  '\uffff',
  '\ufffd',
  '👩‍👩‍👧‍👦',
  '\\',
  '"',
  "'",
  '%',
  '_',
  '%_%',
  '%00',
  '%2F',
  '../..',
  '..',
  '.',
  '/',
  '\r\n',
  '\t',
  '{}',
  '[]',
  'null',
  'true',
  '0',
  '-1',
  '1e999',
  'NaN',
  '<script>',
  "x' OR '1'='1",
  'x"; --',
  '$ne',
  '${x}',
  '{{x}}',
  '__proto__',
  'Ω'.repeat(300),
];

/** Keys that have broken object handling before (prototype pollution, dotted paths, empties). */
const NASTY_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '',
  'a.b',
  '$where',
  '\u0000',
  'ключ',
  'a b',
  'k'.repeat(1000),
];

/** Unicode (and control characters) in short strings. */
const unicodeString = (maxLength: number) =>
  fc.oneof(
    fc.string({ maxLength, unit: 'binary' }),
    fc.string({ maxLength, unit: 'grapheme' }),
    fc.string({ maxLength, unit: 'binary-ascii' }),
    fc.array(fc.constantFrom(...NASTY_STRINGS), { minLength: 1, maxLength: 3 }).map((parts) => parts.join('')),
  );

/** An object with one own key, even `__proto__` (set as a property, not as the prototype). */
function objectWith(key: string, value: unknown, base: object = {}): Record<string, unknown> {
  const result: Record<string, unknown> = { ...base };
  Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
  return result;
}

function without(value: Record<string, unknown>, key: string): Record<string, unknown> {
  const result = { ...value };
  delete result[key];
  return result;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const codePoints = (s: string) => [...s].length;

function nest(value: unknown, depth: number, asArrays: boolean): unknown {
  let nested = value;
  for (let i = 0; i < depth; i++) nested = asArrays ? [nested] : { n: nested };
  return nested;
}

function typeOf(s: Schema): Schema['type'] | undefined {
  if (s.type) return s.type;
  if (s.properties || s.additionalProperties !== undefined || s.required) return 'object';
  if (s.items) return 'array';
  return undefined;
}

/** A JSON value of any type but `type` (so never one the schema allows, type-wise). */
function otherType(type: Schema['type'] | undefined): fc.Arbitrary<unknown> {
  const byType: [NonNullable<Schema['type']>, fc.Arbitrary<unknown>][] = [
    ['string', fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('1', 'true', ''))],
    ['integer', fc.oneof(fc.integer(), fc.constantFrom(0, -1))],
    ['number', fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Number.isInteger(n))],
    ['boolean', fc.boolean()],
    [
      'object',
      fc.oneof(fc.constant({}), fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 })),
    ],
    ['array', fc.oneof(fc.constant([]), fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }))],
  ];
  const allowed: Schema['type'][] = type === 'integer' ? ['integer'] : type === 'number' ? ['integer', 'number'] : [type];
  return fc.oneof(...byType.filter(([t]) => !allowed.includes(t)).map(([, arb]) => arb));
}

/** Values for schemas, valid, near-valid or mutated, aiming at what `world` knows. */
export class SpecArbitraries {
  private readonly flattened = new WeakMap<Schema, Schema>();
  /** Arbitraries already built, by schema, then by what else they depend on (built once: requests draw them thousands of times). */
  private readonly built = new WeakMap<Schema, Map<string, fc.Arbitrary<unknown>>>();

  constructor(
    private readonly world: World,
    /** Bodies go up to this (past it: 413); URLs stay well under the server's URL limit. */
    private readonly limits = { hugeString: 1_100_000, urlString: 600 },
  ) {}

  /** A value of `schema` in the given flavour; `name` is the property or parameter it is for. */
  value(schema: Schema, flavour: Flavour, name?: string, inUrl = false): fc.Arbitrary<unknown> {
    if (flavour === 'valid') return this.valid(schema, name, 0);
    return this.variant(schema, flavour, name, 0, inUrl);
  }

  /** allOf merged into one schema (properties merged, required joined, enums intersected). */
  flatten(schema: Schema): Schema {
    let flat = this.flattened.get(schema);
    if (!flat) {
      const { allOf, ...rest } = schema;
      flat = allOf ? allOf.map((s) => this.flatten(s)).reduce((a, b) => this.merge(a, b), rest as Schema) : schema;
      this.flattened.set(schema, flat);
    }
    return flat;
  }

  private merge(a: Schema, b: Schema): Schema {
    const merged: Schema = { ...a, ...b };
    if (a.properties && b.properties) {
      merged.properties = { ...a.properties };
      for (const [key, schema] of Object.entries(b.properties)) {
        const mine = a.properties[key];
        merged.properties[key] = mine ? this.merge(this.flatten(mine), this.flatten(schema)) : schema;
      }
    }
    if (a.required || b.required) merged.required = [...new Set([...(a.required ?? []), ...(b.required ?? [])])];
    if (a.additionalProperties === false || b.additionalProperties === false) merged.additionalProperties = false;
    if (a.enum && b.enum) merged.enum = a.enum.filter((v) => b.enum!.includes(v));
    if (a.nullable !== undefined || b.nullable !== undefined)
      merged.nullable = Boolean(a.nullable ?? true) && Boolean(b.nullable ?? true);
    return merged;
  }

  // ---- valid ----

  private valid(raw: Schema, name: string | undefined, depth: number): fc.Arbitrary<unknown> {
    const s = this.flatten(raw);
    return this.once(s, `valid ${name ?? ''} ${Math.min(depth, 6)}`, () => {
      const only = name === undefined ? undefined : this.world.only?.[name];
      const hint = name === undefined ? undefined : this.world.hints[name];
      const own = this.validOwn(s, depth);
      const arb = only ?? (hint ? fc.oneof({ arbitrary: hint, weight: 4 }, { arbitrary: own, weight: 1 }) : own);
      return s.nullable ? fc.oneof({ arbitrary: arb, weight: 6 }, { arbitrary: fc.constant(null), weight: 1 }) : arb;
    });
  }

  private once(s: Schema, key: string, build: () => fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
    let byKey = this.built.get(s);
    if (!byKey) this.built.set(s, (byKey = new Map()));
    let arb = byKey.get(key);
    if (!arb) byKey.set(key, (arb = build()));
    return arb;
  }

  private validOwn(s: Schema, depth: number): fc.Arbitrary<unknown> {
    const alternatives = s.oneOf ?? s.anyOf;
    if (alternatives) return fc.oneof(...alternatives.map((alt) => this.valid(alt, undefined, depth)));
    if (s.enum) return fc.constantFrom(...s.enum);
    switch (typeOf(s)) {
      case 'string':
        return this.validString(s);
      case 'integer':
        return fc.oneof(
          {
            arbitrary: fc.integer({ min: Math.max(s.minimum ?? -1000, -1000), max: Math.min(s.maximum ?? 100_000, 100_000) }),
            weight: 4,
          },
          { arbitrary: fc.integer({ min: s.minimum ?? -(2 ** 31), max: s.maximum ?? 2 ** 31 - 1 }), weight: 1 },
        );
      case 'number':
        return fc.double({ noNaN: true, noDefaultInfinity: true, min: s.minimum, max: s.maximum });
      case 'boolean':
        return fc.boolean();
      case 'array': {
        const items = s.items ?? {};
        return fc.array(this.valid(items, undefined, depth + 1), {
          minLength: s.minItems ?? 0,
          maxLength: depth > 4 ? (s.minItems ?? 0) : Math.max(s.minItems ?? 0, Math.min(s.maxItems ?? 3, 3)),
        });
      }
      case 'object':
        return this.validObject(s, depth);
      default:
        return fc.jsonValue({ maxDepth: 2 });
    }
  }

  private validString(s: Schema): fc.Arbitrary<string> {
    const min = s.minLength ?? 0;
    const max = s.maxLength ?? Math.max(min, 40);
    const fits = (v: string) => codePoints(v) >= min && codePoints(v) <= max;
    if (s.pattern) return fc.stringMatching(new RegExp(s.pattern)).filter(fits);
    const length = { minLength: min, maxLength: Math.min(max, min + 40) };
    return fc
      .oneof(
        { arbitrary: fc.string({ ...length, unit: 'grapheme-ascii' }), weight: 4 },
        { arbitrary: fc.string({ ...length, unit: 'grapheme-composite' }), weight: 1 },
        { arbitrary: fc.string({ ...length, unit: 'binary' }), weight: 1 },
      )
      .filter(fits);
  }

  private validObject(s: Schema, depth: number): fc.Arbitrary<Record<string, unknown>> {
    const required = s.required ?? [];
    const declared = Object.entries(s.properties ?? {}).filter(([key, p]) => required.includes(key) || !this.flatten(p).readOnly);
    // Exactly one of its properties (a job event, a session action).
    if (s.maxProperties === 1 && required.length === 0 && declared.length > 0) {
      return fc.oneof(...declared.map(([key, p]) => this.valid(p, key, depth + 1).map((v) => objectWith(key, v))));
    }
    const optional = depth > 5 ? declared.filter(([key]) => required.includes(key)) : declared;
    const record = fc.record(Object.fromEntries(optional.map(([key, p]) => [key, this.valid(p, key, depth + 1)])), {
      requiredKeys: required.filter((key) => optional.some(([k]) => k === key)),
    });
    const min = s.minProperties ?? 0;
    // Keys no property declares, where the schema allows them; as many as minProperties needs.
    const needed = Math.max(0, min - required.length);
    const extraKeys = fc.stringMatching(/^[a-z][a-z_]{0,11}$/).filter((k) => !(k in (s.properties ?? {})));
    // Their values: what additionalProperties says, when it is a schema; any JSON otherwise.
    const extraValue =
      typeof s.additionalProperties === 'object'
        ? this.valid(s.additionalProperties, 'value', depth + 1)
        : fc.jsonValue({ maxDepth: 2 });
    const extra = (minKeys: number) => fc.dictionary(extraKeys, extraValue, { minKeys, maxKeys: minKeys + 2 });
    const extras =
      s.additionalProperties === false
        ? fc.constant({})
        : needed > 0
          ? extra(needed)
          : depth > 3
            ? fc.constant({})
            : fc.oneof({ arbitrary: fc.constant({}), weight: 3 }, { arbitrary: extra(0), weight: 1 });
    return fc
      .tuple(record, extras)
      .map(([own, more]) => ({ ...more, ...own }))
      .filter((o) => Object.keys(o).length >= min && Object.keys(o).length <= (s.maxProperties ?? Infinity));
  }

  // ---- near-valid and mutated: one change, here or somewhere inside ----

  private variant(
    raw: Schema,
    flavour: 'near' | 'mutated',
    name: string | undefined,
    depth: number,
    inUrl: boolean,
  ): fc.Arbitrary<unknown> {
    const s = this.flatten(raw);
    return this.once(s, `${flavour} ${name ?? ''} ${depth} ${inUrl}`, () => {
      const here = flavour === 'near' ? this.nearHere(s, name) : this.mutatedHere(s, name, depth, inUrl);
      const inside = depth < 6 ? this.variantInside(s, flavour, depth, inUrl) : undefined;
      return inside ? fc.oneof({ arbitrary: here, weight: 1 }, { arbitrary: inside, weight: 2 }) : here;
    });
  }

  private variantInside(
    s: Schema,
    flavour: 'near' | 'mutated',
    depth: number,
    inUrl: boolean,
  ): fc.Arbitrary<unknown> | undefined {
    const alternatives = s.oneOf ?? s.anyOf;
    if (alternatives) return fc.oneof(...alternatives.map((alt) => this.variant(alt, flavour, undefined, depth, inUrl)));
    const type = typeOf(s);
    const properties = Object.entries(s.properties ?? {});
    if (type === 'object' && properties.length > 0) {
      return fc
        .constantFrom(...properties)
        .chain(([key, p]) =>
          fc
            .tuple(this.valid(s, undefined, depth), this.variant(p, flavour, key, depth + 1, inUrl))
            .map(([o, v]) => objectWith(key, v, isObject(o) ? o : {})),
        );
    }
    if (type === 'array') {
      const items = s.items ?? {};
      return fc
        .tuple(
          fc.array(this.valid(items, undefined, depth + 1), { maxLength: 2 }),
          this.variant(items, flavour, undefined, depth + 1, inUrl),
          fc.nat(),
        )
        .map(([list, v, at]) => {
          const copy = [...list];
          copy.splice(at % (copy.length + 1), 0, v);
          return copy;
        });
    }
    return undefined;
  }

  /** Valid but for one thing at a boundary of `s` itself. */
  private nearHere(s: Schema, name: string | undefined): fc.Arbitrary<unknown> {
    const options: fc.Arbitrary<unknown>[] = [];
    if (!s.nullable && typeOf(s) !== undefined) options.push(fc.constant(null));
    if (s.enum) {
      const strings = s.enum.filter((v): v is string => typeof v === 'string');
      if (strings.length) {
        options.push(
          fc
            .constantFrom(...strings)
            .chain((v) => fc.constantFrom(v.toUpperCase(), `${v} `, ` ${v}`, `${v}x`, v.slice(0, -1), `${v}\u0000`))
            .filter((v) => !s.enum!.includes(v)),
        );
      }
    }
    switch (typeOf(s)) {
      case 'string': {
        const min = s.minLength ?? 0;
        const max = s.maxLength;
        const fill = s.pattern && /\\d/.test(s.pattern) && !/\\w|a-z/i.test(s.pattern) ? '1' : 'a';
        if (min > 0) options.push(fc.constant(fill.repeat(min - 1)));
        if (max !== undefined) {
          options.push(
            fc.constantFrom(
              fill.repeat(max),
              fill.repeat(max + 1),
              'é'.repeat(max + 1),
              '\u{1d11e}'.repeat(max),
              '\u{1d11e}'.repeat(max + 1),
            ),
          );
        }
        if (s.pattern) {
          options.push(
            fc
              .tuple(this.validString(s), fc.constantFrom(' ', '/', '.', '%', 'é', '\n', '*', '\u0000', '😀', '+', ':'), fc.nat())
              .map(([v, c, at]) => {
                const i = at % (v.length + 1);
                return v.slice(0, i) + c + v.slice(i);
              }),
          );
        }
        options.push(fc.constantFrom(0, 1));
        break;
      }
      case 'integer':
      case 'number': {
        const edges = [0, -1, 1.5, -0.5, 2 ** 31 - 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 - 1, 2 ** 53 + 2, 1e21, -1e21];
        if (s.minimum !== undefined) edges.push(s.minimum - 1, s.minimum, s.minimum - 0.5);
        if (s.maximum !== undefined) edges.push(s.maximum, s.maximum + 1, s.maximum + 0.5);
        options.push(fc.constantFrom(...edges), fc.constantFrom(...edges).map(String));
        break;
      }
      case 'boolean':
        options.push(fc.constantFrom('true', 'false', 0, 1, 'True'));
        break;
      case 'object': {
        const required = s.required ?? [];
        if (required.length) {
          options.push(
            fc
              .tuple(this.valid(s, name, 0), fc.constantFrom(...required))
              .map(([o, key]) => without(o as Record<string, unknown>, key)),
          );
        }
        const readOnly = Object.entries(s.properties ?? {})
          .filter(([, p]) => this.flatten(p).readOnly)
          .map(([key]) => key);
        const extraKeys = ['unknown_field', 'Client_ID', 'job_ID', ...readOnly];
        options.push(
          fc
            .tuple(
              this.valid(s, name, 0),
              fc.constantFrom(...extraKeys),
              fc.constantFrom<unknown>('x', 7, null, 'someone-else', true, {}),
            )
            .map(([o, key, v]) => objectWith(key, v, isObject(o) ? o : {})),
        );
        if ((s.minProperties ?? 0) > 0 || required.length) options.push(fc.constant({}));
        const names = Object.keys(s.properties ?? {});
        if (s.maxProperties !== undefined && names.length > s.maxProperties) {
          options.push(
            fc
              .shuffledSubarray(names, { minLength: s.maxProperties + 1 })
              .map((keys) => Object.fromEntries(keys.map((k) => [k, null]))),
          );
        }
        break;
      }
      case 'array':
        options.push(fc.constant([]));
        if (s.items) options.push(fc.array(this.valid(s.items, undefined, 1), { minLength: 4, maxLength: 8 }));
        break;
    }
    return options.length ? fc.oneof(...options) : fc.constant(null);
  }

  /** Valid but for one wild thing in place of `s`. */
  private mutatedHere(s: Schema, name: string | undefined, depth: number, inUrl: boolean): fc.Arbitrary<unknown> {
    const hugeLength = inUrl ? this.limits.urlString : this.limits.hugeString;
    const huge = fc
      .tuple(fc.constantFrom(0.01, 0.1, 1), fc.constantFrom('x', 'é', '😀'))
      .map(([share, c]) => c.repeat(Math.max(1, Math.floor((hugeLength * share) / Buffer.byteLength(c)))));
    const deep = fc
      .tuple(fc.integer({ min: 25, max: 40 }), fc.boolean())
      .chain(([levels, arrays]) => this.valid(s, name, 6).map((v) => nest(v, levels - Math.min(depth, 10), arrays)));
    const oddKeys = fc
      .tuple(fc.constantFrom(...NASTY_KEYS), fc.jsonValue({ maxDepth: 2 }), this.valid(s, name, 6))
      .map(([key, v, base]) => objectWith(key, v, isObject(base) ? base : {}));
    return fc.oneof(
      { arbitrary: otherType(typeOf(s)), weight: 12 },
      { arbitrary: fc.constant(null), weight: 6 },
      { arbitrary: deep, weight: 3 },
      { arbitrary: huge, weight: inUrl ? 3 : 1 },
      { arbitrary: unicodeString(inUrl ? 40 : 200), weight: 9 },
      { arbitrary: oddKeys, weight: 6 },
      { arbitrary: fc.constantFrom(1e308, -1e308, 5e-324, -0, 2 ** 63, Number.MAX_SAFE_INTEGER * 8), weight: 3 },
      { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 3 },
    );
  }
}

// ---- requests ----------------------------------------------------------------------------------

/** Encoded as a client would, or oddly: a piece of the URL as text sent as it is. */
type Encoding = 'standard' | 'raw' | 'latin1' | 'double' | 'lowercase' | 'wtf8';

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** Percent-encodes every UTF-16 unit; lone surrogates as their (invalid) three UTF-8-style bytes. */
function wtf8(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      out += encodeURIComponent(text.slice(i, i + 2));
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      out += [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)]
        .map((b) => `%${b.toString(16).toUpperCase()}`)
        .join('');
    } else {
      out += UNRESERVED.test(text[i]!) ? text[i] : encodeURIComponent(text[i]!);
    }
  }
  return out;
}

/**
 * `text` as a piece of a URL. Node sends path bytes 0x21-0xff as they are, so `raw` leaves
 * printable ASCII alone (slashes, dots, stray `%`), `latin1` sends bytes 0xa0-0xff raw (not UTF-8:
 * the HTTP parser's to refuse) but escapes slashes;
 * `?` and `#` are always escaped, so the piece stays where it was put.
 */
export function encodeText(text: string, encoding: Encoding): string {
  const each = (keep: (c: string) => boolean) =>
    [...text].map((c) => (c === '?' || c === '#' ? encodeURIComponent(c) : keep(c) ? c : wtf8(c))).join('');
  switch (encoding) {
    case 'raw':
      return each((c) => c > ' ' && c < '\u007f');
    case 'latin1':
      return each((c) => (c > ' ' && c < '\u007f' && c !== '/') || (c >= '\u00a0' && c <= '\u00ff'));
    case 'double':
      return wtf8(wtf8(text));
    case 'lowercase':
      return wtf8(text).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase());
    default:
      return wtf8(text);
  }
}

const encodings = (...odd: Encoding[]) =>
  fc.oneof({ arbitrary: fc.constant<Encoding>('standard'), weight: 6 }, { arbitrary: fc.constantFrom(...odd), weight: 2 });
/**
 * Raw bytes that are not UTF-8 go in query strings only: the HTTP parser refuses them before any
 * routing, so in a path that names no operation (an empty segment) they would not be the
 * operation's 400.
 */
const PATH_ENCODINGS = encodings('raw', 'double', 'lowercase', 'wtf8');
const QUERY_ENCODINGS = encodings('raw', 'latin1', 'double', 'lowercase', 'wtf8');

const textOf = (v: unknown): string => (typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v));

/** Header values Node will send: tab, printable latin1. */
const headerSafe = (v: string) => [...v].filter((c) => c === '\t' || (c >= ' ' && c !== '\u007f' && c <= '\u00ff')).join('');

/** Query-string pieces no parameter declares. */
const QUERY_JUNK = [
  '',
  '&',
  '=',
  '=x',
  'foo=bar',
  '%ZZ=1',
  'limit',
  '__proto__[polluted]=1',
  'constructor[prototype][polluted]=1',
  `${'a'.repeat(500)}=1`,
  ';limit=1',
  'search[match][0][a]=1',
  'limit[]=1&limit[]=2',
  'offset[$gt]=0',
  '%00=%00',
];

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** The rarer media-type spellings of a body the operation takes (never a type it does not). */
const contentTypeOf = (type: string) =>
  fc.oneof(
    { arbitrary: fc.constant<string | undefined>(type), weight: 8 },
    { arbitrary: fc.constant<string | undefined>(`${type}; charset=utf-8`), weight: 1 },
    { arbitrary: fc.constant<string | undefined>(type === 'application/json' ? undefined : type), weight: 1 },
  );

/** Requests for the spec's operations. */
export class RequestArbitraries {
  readonly values: SpecArbitraries;
  /** By collection path, the parameter naming its items (/v2/{project_id}/jobs: job_id). */
  private readonly itemParameter = new Map<string, string>();

  constructor(
    private readonly world: World,
    operations: SpecOperation[],
  ) {
    this.values = new SpecArbitraries(world);
    for (const { template } of operations) {
      const item = /^(.*)\/\{([^}]+)\}$/.exec(template);
      if (item) this.itemParameter.set(item[1]!, item[2]!);
    }
  }

  /** Any of `operations`, each as often as its weight (3 unless `weights` says otherwise). */
  any(operations: SpecOperation[], weights: Record<string, number> = {}): fc.Arbitrary<RequestPlan> {
    return fc.oneof(...operations.map((op) => ({ arbitrary: this.request(op), weight: weights[op.operationId] ?? 3 })));
  }

  request(op: SpecOperation): fc.Arbitrary<RequestPlan> {
    const flavour = fc.oneof(
      { arbitrary: fc.constant<Flavour>('valid'), weight: 5 },
      { arbitrary: fc.constant<Flavour>('near'), weight: 3 },
      { arbitrary: fc.constant<Flavour>('mutated'), weight: 2 },
    );
    const contexts = this.world.contexts.flatMap((c, index) =>
      !c.paths || c.paths.test(op.template) ? [{ arbitrary: fc.constant(index), weight: c.weight ?? 1 }] : [],
    );
    return fc
      .tuple(flavour, fc.oneof(...contexts))
      .chain(([f, c]) => this.memoized(`${op.operationId} ${f} ${c}`, () => this.plan(op, f, c)));
  }

  /** Built once per key: requests draw them thousands of times. */
  private readonly memo = new Map<string, fc.Arbitrary<unknown>>();
  private memoized<T>(key: string, build: () => fc.Arbitrary<T>): fc.Arbitrary<T> {
    let arb = this.memo.get(key) as fc.Arbitrary<T> | undefined;
    if (!arb) this.memo.set(key, (arb = build()));
    return arb;
  }

  private plan(op: SpecOperation, f: Flavour, c: number): fc.Arbitrary<RequestPlan> {
    return fc.record({
      operationId: fc.constant(op.operationId),
      flavour: fc.constant(f),
      context: fc.constant(c),
      method: fc.oneof({ arbitrary: fc.constant(op.method), weight: 30 }, { arbitrary: fc.constantFrom(...METHODS), weight: 1 }),
      url: fc
        .tuple(this.path(op, f, c), this.query(op, f, c))
        .map(([path, query]) => (query.length ? [...path, '?', ...query] : path)),
      headers: this.headers(op, f, c),
      body: this.body(op, f),
    });
  }

  /** A flavour for one part of a request: the request's own, or valid (so the others get through). */
  private partFlavour(f: Flavour): fc.Arbitrary<Flavour> {
    return f === 'valid'
      ? fc.constant(f)
      : fc.oneof({ arbitrary: fc.constant(f), weight: 1 }, { arbitrary: fc.constant<Flavour>('valid'), weight: 2 });
  }

  private path(op: SpecOperation, f: Flavour, c: number): fc.Arbitrary<Slot[]> {
    const pieces = op.template.split(/(\{[^}]+\})/).filter((piece) => piece !== '');
    const slots = pieces.map((piece): fc.Arbitrary<Slot> => {
      const param = /^\{(.+)\}$/.exec(piece)?.[1];
      const p = op.parameters.find((q) => q.in === 'path' && q.name === param);
      if (!p) return fc.constant(piece);
      return this.partFlavour(f).chain((pf) =>
        this.memoized(`path ${op.operationId} ${p.name} ${pf} ${c}`, () => this.pathSlot(p, pf, c)),
      );
    });
    const trailing = fc.oneof({ arbitrary: fc.constant(''), weight: 12 }, { arbitrary: fc.constantFrom('/', '//'), weight: 1 });
    return fc.tuple(fc.tuple(...slots), trailing).map(([list, end]) => (end ? [...list, end] : list));
  }

  private pathSlot(p: SpecParameter, f: Flavour, c: number): fc.Arbitrary<Slot> {
    const text = fc
      .tuple(this.values.value(p.schema, f, undefined, true), f === 'valid' ? fc.constant<Encoding>('standard') : PATH_ENCODINGS)
      .map(([v, encoding]) => encodeText(textOf(v), encoding));
    if (f !== 'valid' || !(p.name in this.world.contexts[c]!.known)) return text;
    return fc.oneof(
      { arbitrary: fc.nat().map((pick): Slot => ({ known: p.name, pick })), weight: 3 },
      { arbitrary: text, weight: 1 },
    );
  }

  private query(op: SpecOperation, f: Flavour, c: number): fc.Arbitrary<Slot[]> {
    const params = op.parameters.filter((p) => p.in === 'query');
    const markerOf = this.markerKind(op);
    const knowsMarkers = markerOf !== undefined && markerOf in this.world.contexts[c]!.known;
    const pairs = params.map((p) => {
      const value = this.partFlavour(f).chain((pf): fc.Arbitrary<Slot> =>
        this.memoized(`query ${op.operationId} ${p.name} ${pf} ${c}`, () => {
          const text = fc
            .tuple(this.queryValue(p, pf), pf === 'valid' ? fc.constant<Encoding>('standard') : QUERY_ENCODINGS)
            .map(([v, encoding]) => encodeText(v, encoding));
          if (p.name !== 'marker' || !knowsMarkers || pf !== 'valid') return text;
          return fc.oneof(
            fc.nat().map((pick): Slot => ({ known: markerOf, pick })),
            text,
          );
        }),
      );
      const name =
        f === 'valid'
          ? fc.constant(p.name)
          : fc.oneof(
              { arbitrary: fc.constant(p.name), weight: 8 },
              {
                arbitrary: fc.constantFrom(
                  `${p.name}[]`,
                  `${p.name}[0]`,
                  `${p.name}[a]`,
                  p.name.toUpperCase(),
                  encodeURIComponent(p.name).replace(/^./, (c) => `%${c.charCodeAt(0).toString(16)}`),
                ),
                weight: 1,
              },
            );
      const once = fc.tuple(name, value).map(([n, v]): Slot[] => [`${n}=`, v]);
      const repeated = fc.tuple(once, once).map(([a, b]) => [...a, '&', ...b]);
      return fc.oneof(
        { arbitrary: fc.constant<Slot[]>([]), weight: 4 },
        { arbitrary: once, weight: 3 },
        { arbitrary: repeated, weight: f === 'valid' ? 0 : 1 },
      );
    });
    const junk =
      f === 'valid'
        ? fc.constant<string[]>([])
        : fc.oneof(
            { arbitrary: fc.constant<string[]>([]), weight: 5 },
            { arbitrary: fc.array(fc.constantFrom(...QUERY_JUNK), { minLength: 1, maxLength: 2 }), weight: 1 },
          );
    return fc.tuple(fc.tuple(...pairs), junk).map(([present, extra]) => {
      const parts: Slot[][] = [...present.filter((p) => p.length > 0), ...extra.map((e) => [e])];
      return parts.flatMap((part, i) => (i === 0 ? part : ['&', ...part]));
    });
  }

  private queryValue(p: SpecParameter, f: Flavour): fc.Arbitrary<string> {
    const value = this.values.value(p.schema, f, p.name, true);
    if (!p.json) return value.map(textOf);
    const json = value.map((v) => JSON.stringify(v) ?? '');
    if (f !== 'mutated') return json;
    const broken = json.chain((t) => fc.constantFrom(t.slice(0, -1), `${t}}`, `{${t}`, t.replace(/"/g, "'"), 'not json'));
    return fc.oneof(json, broken);
  }

  /** The id a list's `marker` names: the path parameter of the spec's item path under the list's. */
  private markerKind(op: SpecOperation): string | undefined {
    if (!op.parameters.some((p) => p.in === 'query' && p.name === 'marker')) return undefined;
    return this.itemParameter.get(op.template);
  }

  private headers(op: SpecOperation, f: Flavour, c: number): fc.Arbitrary<Record<string, string>> {
    const own = this.world.contexts[c]!.headers;
    // Mostly the context's caller; sometimes another one (who must not see the context's ids).
    const someone = fc.oneof(
      { arbitrary: fc.constant(own), weight: 12 },
      { arbitrary: fc.constantFrom(...this.world.contexts.map((other) => other.headers)), weight: 1 },
    );
    const identity = fc.oneof(
      { arbitrary: someone, weight: 6 },
      {
        arbitrary: fc
          .tuple(
            someone,
            fc.constantFrom('X-User-Id', 'X-Project-Id', 'X-Roles', 'X-User-Name'),
            fc.oneof(
              fc.constantFrom(
                '',
                ' ',
                'a'.repeat(64),
                'a'.repeat(65),
                'n'.repeat(256),
                'admin',
                'ADMIN',
                'reader,admin',
                ',,,',
                'member, reader',
                'p/1',
                'p 1',
                '..',
              ),
              fc.string({ maxLength: 70, unit: 'binary-ascii' }),
            ),
          )
          .map(([headers, name, v]) => ({ ...headers, [name]: headerSafe(v) })),
        weight: f === 'valid' ? 0 : 1,
      },
    );
    const ifMatchParam = op.parameters.find((p) => p.in === 'header' && p.name === 'If-Match');
    const hint = this.world.hints['If-Match'];
    const ifMatch = ifMatchParam
      ? fc.oneof(
          { arbitrary: fc.constant<string | undefined>(undefined), weight: 4 },
          {
            arbitrary: (f === 'valid' && hint ? hint : this.values.value(ifMatchParam.schema, 'valid', 'If-Match')).map((v) =>
              headerSafe(textOf(v)),
            ),
            weight: 2,
          },
          {
            arbitrary: this.values.value(ifMatchParam.schema, 'mutated', 'If-Match', true).map((v) => headerSafe(textOf(v))),
            weight: f === 'valid' ? 0 : 1,
          },
        )
      : fc.constant(undefined);
    // What the operation answers with (JSON for errors when it answers nothing), or odd lists.
    const acceptable = [...(op.produces.length ? op.produces : ['application/json']), '*/*'];
    const accept = fc.oneof(
      { arbitrary: fc.constant<string | undefined>(undefined), weight: 12 },
      { arbitrary: fc.constantFrom(...acceptable), weight: 1 },
      {
        arbitrary: fc.constantFrom(
          'application/*',
          'text/plain',
          'text/html',
          'application/json;q=0',
          ',,,',
          'application/json, text/plain;q=0.5',
        ),
        weight: f === 'valid' ? 0 : 1,
      },
    );
    return fc.tuple(identity, ifMatch, accept).map(([id, match, acc]) => {
      const headers: Record<string, string> = { ...id };
      if (match !== undefined) headers['If-Match'] = match;
      if (acc !== undefined) headers.Accept = acc;
      return headers;
    });
  }

  private body(op: SpecOperation, f: Flavour): fc.Arbitrary<BodyPlan | undefined> {
    if (!op.body) return fc.constant(undefined);
    const media = op.body.media;
    const present = fc.constantFrom(...media).chain(({ type, schema }) =>
      fc
        .tuple(contentTypeOf(type), this.values.value(schema, f), f === 'mutated' ? this.textMutation() : fc.constant(undefined))
        .map(([contentType, value, mutate]): BodyPlan => {
          const text = JSON.stringify(value) ?? '';
          return mutate ? { contentType, ...mutate(text) } : { contentType, text };
        }),
    );
    const absentWeight = op.body.required ? (f === 'valid' ? 0 : 1) : 6;
    return fc.oneof({ arbitrary: fc.constant(undefined), weight: absentWeight }, { arbitrary: present, weight: 10 });
  }

  /** Changes to a body's JSON text that no value can make: broken syntax, odd numbers, bytes that are not UTF-8. */
  private textMutation(): fc.Arbitrary<(text: string) => Omit<BodyPlan, 'contentType'>> {
    const same = fc.constant((text: string) => ({ text }));
    const edits = fc.oneof(
      fc.nat().map((n) => (text: string) => ({ text: text.slice(0, n % (text.length + 1)) })),
      fc
        .constantFrom(' x', '}', ',', ']', '\u0000', ' {}', '\n\n{"a":1}')
        .map((tail) => (text: string) => ({ text: text + tail })),
      fc.constantFrom('\ufeff', ' \t\r\n', '\u00a0').map((head) => (text: string) => ({ text: head + text })),
      fc
        .constantFrom('1e400', '-0', '123456789012345678901234567890', '1.0', '-1e-400', '0.0000001')
        .map((n) => (text: string) => ({ text: text.replace(/-?\d+(\.\d+)?(e[+-]?\d+)?/, n) })),
      fc
        .constantFrom<number[]>([0xff], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82])
        .chain((bytes) =>
          fc.nat().map((n) => (text: string) => {
            // Inside a string when there is one (after its opening quote), else anywhere.
            const quotes = [...text.matchAll(/"/g)].map((m) => m.index + 1);
            return { text, splice: { at: quotes.length ? quotes[n % quotes.length]! : n % (text.length + 1), bytes } };
          }),
        ),
      fc
        .constantFrom(31, 1000, 20000)
        .chain((depth) =>
          fc
            .constantFrom('[', '{"a":')
            .map((open) => () => ({ text: open.repeat(depth) + '1' + (open === '[' ? ']' : '}').repeat(depth) })),
        ),
      fc.constant((text: string) => ({
        text: text.startsWith('{"') ? `{"${text.slice(2).split('"')[0]}":null,${text.slice(1)}` : text,
      })),
      fc
        .constantFrom(
          "{'a': 1}",
          '{a: 1}',
          'NaN',
          '[1,]',
          '{"a":1,}',
          '"text"',
          '42',
          'null',
          '/* */{}',
          '{"a":"\\x"}',
          '{"a":"\\u12"}',
          '',
        )
        .map((t) => () => ({ text: t })),
    );
    return fc.oneof({ arbitrary: same, weight: 3 }, { arbitrary: edits, weight: 2 });
  }
}

// Who may do what: oslo.policy's check language, parsed once into trees and compiled into functions
// evaluated per request against the caller's credentials and the target (the project the request
// acts on). The rules are
// upstream's defaults (src/auth/policy-rules.ts), overridden by a policy file's; the dispatcher
// enforces the rule the spec names for each operation (`x-policy`, src/app.ts).
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { Caller } from '../domain/caller';
import { ApiError } from '../errors';
import { DEFAULT_RULES, type RuleDefault } from './policy-rules';

/** A check string, parsed. */
export type Check =
  | { kind: 'always' }
  | { kind: 'never' }
  | { kind: 'rule'; name: string }
  | { kind: 'role'; match: string }
  /** `key:match`: the credential `key` equals `match` (after `%(name)s` substitution from the target). */
  | { kind: 'generic'; key: string; match: string }
  | { kind: 'not'; of: Check }
  | { kind: 'and'; of: Check[] }
  | { kind: 'or'; of: Check[] };

export interface Credentials {
  user_id: string;
  project_id: string;
  roles: readonly string[];
}

export type Target = Readonly<Record<string, string>>;

/** A rule that cannot be used: its check does not parse, or it names a rule that does not exist. */
export class PolicyError extends Error {}

type Token = { type: '(' | ')' | 'and' | 'or' | 'not' } | { type: 'check'; check: Check };

/**
 * Splits as oslo.policy does: on whitespace, with parentheses peeled off the ends of each word
 * (so `%(project_id)s` keeps its own).
 */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const word of text.split(/\s+/)) {
    if (word === '') continue;
    let rest = word;
    while (rest.startsWith('(')) {
      tokens.push({ type: '(' });
      rest = rest.slice(1);
    }
    let closing = 0;
    while (rest.endsWith(')')) {
      closing++;
      rest = rest.slice(0, -1);
    }
    if (rest !== '') {
      const lowered = rest.toLowerCase();
      if (lowered === 'and' || lowered === 'or' || lowered === 'not') tokens.push({ type: lowered });
      else tokens.push({ type: 'check', check: parseCheck(rest) });
    }
    for (let i = 0; i < closing; i++) tokens.push({ type: ')' });
  }
  return tokens;
}

function parseCheck(word: string): Check {
  if (word === '@') return { kind: 'always' };
  if (word === '!') return { kind: 'never' };
  const colon = word.indexOf(':');
  if (colon <= 0 || colon === word.length - 1) {
    throw new PolicyError(`"${word}" is not a check (kind:match, @ or !)`);
  }
  const key = word.slice(0, colon);
  const match = word.slice(colon + 1);
  if (key === 'rule') return { kind: 'rule', name: match };
  if (key === 'role') return { kind: 'role', match };
  return { kind: 'generic', key, match };
}

/**
 * Parses a check string. Precedence as oslo.policy's: `not` binds tightest, then `and`, then
 * `or`; parentheses group. An empty string allows everyone, as in oslo.policy.
 */
export function parseCheckString(text: string): Check {
  const tokens = tokenize(text);
  if (tokens.length === 0) return { kind: 'always' };
  let at = 0;
  const peek = () => tokens[at]?.type;
  const describe = () => (at < tokens.length ? `"${tokens[at]!.type}"` : 'the end');

  const or = (): Check => {
    const of = [and()];
    while (peek() === 'or') {
      at++;
      of.push(and());
    }
    return of.length === 1 ? of[0]! : { kind: 'or', of };
  };
  const and = (): Check => {
    const of = [not()];
    while (peek() === 'and') {
      at++;
      of.push(not());
    }
    return of.length === 1 ? of[0]! : { kind: 'and', of };
  };
  const not = (): Check => {
    if (peek() === 'not') {
      at++;
      return { kind: 'not', of: not() };
    }
    return atom();
  };
  const atom = (): Check => {
    const token = tokens[at];
    if (token?.type === 'check') {
      at++;
      return token.check;
    }
    if (token?.type === '(') {
      at++;
      const inner = or();
      if (peek() !== ')') throw new PolicyError(`expected ")" at ${describe()}`);
      at++;
      return inner;
    }
    throw new PolicyError(`expected a check at ${describe()}`);
  };

  const check = or();
  if (at < tokens.length) throw new PolicyError(`unexpected ${describe()}`);
  return check;
}

/** The check, compiled once into a function of the credentials and the target. */
type Predicate = (credentials: Credentials, target: Target) => boolean;

/**
 * A check's `match`, as a function of the target: a constant, one `%(name)s`, or (rarely) text
 * around substitutions. Undefined when the target lacks a name it needs (the check then fails).
 */
function template(match: string): (target: Target) => string | undefined {
  if (!match.includes('%(')) return () => match;
  const whole = /^%\(([^)]*)\)s$/.exec(match);
  if (whole) return (target) => target[whole[1]!];
  return (target) => {
    let missing = false;
    const result = match.replace(/%\(([^)]*)\)s/g, (_, name: string) => {
      const value = target[name];
      if (value === undefined) missing = true;
      return value ?? '';
    });
    return missing ? undefined : result;
  };
}

/** `rule:` references resolve through `compiled` when first evaluated, so rules may come in any order. */
function compile(check: Check, compiled: ReadonlyMap<string, Predicate>): Predicate {
  switch (check.kind) {
    case 'always':
      return () => true;
    case 'never':
      return () => false;
    case 'rule': {
      const { name } = check;
      return (c, t) => compiled.get(name)!(c, t);
    }
    case 'role': {
      // Case-insensitive, as oslo.policy's RoleCheck.
      const wanted = template(check.match);
      return (c, t) => {
        const role = wanted(t)?.toLowerCase();
        return role !== undefined && c.roles.some((r) => r === role || r.toLowerCase() === role);
      };
    }
    case 'generic': {
      const { key } = check;
      const expected = template(check.match);
      return (c, t) => {
        const value = expected(t);
        if (value === undefined || !Object.hasOwn(c, key)) return false;
        const actual = (c as unknown as Record<string, string | readonly string[]>)[key]!;
        return typeof actual === 'string' ? actual === value : actual.includes(value);
      };
    }
    case 'not': {
      const of = compile(check.of, compiled);
      return (c, t) => !of(c, t);
    }
    case 'and': {
      const of = check.of.map((inner) => compile(inner, compiled));
      return (c, t) => of.every((p) => p(c, t));
    }
    case 'or': {
      const of = check.of.map((inner) => compile(inner, compiled));
      return (c, t) => of.some((p) => p(c, t));
    }
  }
}

type Rules = ReadonlyMap<string, Check>;

/** Evaluates one check against `rules` (the policy compiles its rules once instead). */
export function evaluate(check: Check, rules: Rules, credentials: Credentials, target: Target): boolean {
  const compiled = new Map<string, Predicate>();
  for (const [name, rule] of rules) compiled.set(name, compile(rule, compiled));
  return compile(check, compiled)(credentials, target);
}

function referencedRules(check: Check): string[] {
  switch (check.kind) {
    case 'rule':
      return [check.name];
    case 'not':
      return referencedRules(check.of);
    case 'and':
    case 'or':
      return check.of.flatMap(referencedRules);
    default:
      return [];
  }
}

export interface Policy {
  /** Throws 403 Access Forbidden unless the caller may use `rule` on the target project. */
  enforce(rule: string, caller: Caller, targetProjectId: string): void;
  allows(rule: string, caller: Caller, targetProjectId: string): boolean;
  has(rule: string): boolean;
  /** Every rule in effect, in the defaults' order, with its (possibly overridden) check string. */
  effectiveRules(): RuleDefault[];
}

/**
 * The policy: the defaults, each overridden by `overrides[name]` when given. Throws PolicyError
 * naming the rule for an override of a rule that does not exist, a check string that does not
 * parse, a `rule:` naming no rule, or rules that refer to themselves.
 */
export function createPolicy(overrides: Readonly<Record<string, string>> = {}): Policy {
  const known = new Set(DEFAULT_RULES.map((r) => r.name));
  for (const name of Object.keys(overrides)) {
    if (!known.has(name)) throw new PolicyError(`unknown rule "${name}"`);
  }
  const effective = DEFAULT_RULES.map((r) => ({ ...r, check: overrides[r.name] ?? r.check }));
  const rules = new Map<string, Check>();
  for (const { name, check } of effective) {
    try {
      rules.set(name, parseCheckString(check));
    } catch (err) {
      throw new PolicyError(`rule "${name}": cannot parse "${check}": ${(err as Error).message}`);
    }
  }
  for (const [name, check] of rules) {
    for (const ref of referencedRules(check)) {
      if (!rules.has(ref)) throw new PolicyError(`rule "${name}": "rule:${ref}" names no rule`);
    }
  }
  // A rule reaching itself through rule: references would never finish evaluating.
  const done = new Set<string>();
  const visit = (name: string, path: string[]) => {
    if (path.includes(name)) throw new PolicyError(`rule "${name}" refers to itself (${[...path, name].join(' -> ')})`);
    if (done.has(name)) return;
    for (const ref of referencedRules(rules.get(name)!)) visit(ref, [...path, name]);
    done.add(name);
  };
  for (const name of rules.keys()) visit(name, []);

  const compiled = new Map<string, Predicate>();
  for (const [name, check] of rules) compiled.set(name, compile(check, compiled));
  const allows = (rule: string, caller: Caller, targetProjectId: string) => {
    const predicate = compiled.get(rule);
    if (!predicate) throw new Error(`policy: no rule named "${rule}"`);
    const credentials = { user_id: caller.userId, project_id: caller.credentialProjectId, roles: caller.roles };
    return predicate(credentials, { project_id: targetProjectId, user_id: caller.userId });
  };
  return {
    allows,
    enforce(rule, caller, targetProjectId) {
      if (!allows(rule, caller, targetProjectId)) throw new ApiError(403, 'You are not allowed to access this resource');
    },
    has: (rule) => rules.has(rule),
    effectiveRules: () => effective.map((r) => ({ ...r })),
  };
}

/**
 * A policy file's rules: a YAML or JSON object of `"rule name": "check string"`. Throws
 * PolicyError when it cannot be read or is not such an object.
 */
export function readPolicyFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new PolicyError(`cannot read it: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = text.trimStart().startsWith('{') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new PolicyError(`not valid YAML or JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new PolicyError('must be a mapping of "rule name": "check string"');
  }
  const rules: Record<string, string> = {};
  for (const [name, check] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof check !== 'string') throw new PolicyError(`rule "${name}": the check must be a string`);
    rules[name] = check;
  }
  return rules;
}

/** The rules as oslopolicy-policy-generator prints them: YAML, each rule's description as a comment. */
export function renderPolicy(policy: Policy): string {
  return policy
    .effectiveRules()
    .map(({ name, check, description }) => `# ${description}\n${JSON.stringify(name)}: ${JSON.stringify(check)}\n`)
    .join('\n');
}

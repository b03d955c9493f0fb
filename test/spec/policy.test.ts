// Every operation that needs a caller names the policy rule it is checked against (`x-policy`),
// a rule that exists, and says so in its description; so a new operation without a rule fails here.
import { DEFAULT_RULES } from '../../src/auth/policy-rules';
import { specApi } from '../helpers/spec';

/** Secured operations with no rule, each with the reason. */
const UNPOLICED: Record<string, string> = {
  getHomeDocument: 'the JSON-home document describes the API; upstream checks no rule for it',
  getHomeDocumentV1: 'the JSON-home document describes the API; upstream checks no rule for it',
};

const defaults = new Map(DEFAULT_RULES.map((r) => [r.name, r.check]));

it('every secured operation names a known rule in x-policy, its default in its description, and documents 403', async () => {
  const api = await specApi();
  const globalSecurity = api.definition.security ?? [];
  const problems: string[] = [];
  for (const o of api.getOperations()) {
    const id = o.operationId!;
    const rule = (o as { 'x-policy'?: unknown })['x-policy'];
    // Secured: the request has a caller (an identity scheme; the metrics' bearer token is not one).
    const secured = (o.security ?? globalSecurity).some((r) => 'keystoneToken' in r || 'userIdHeader' in r);
    if (!secured || id in UNPOLICED) {
      if (rule !== undefined) problems.push(`${id}: needs no caller or is unpoliced, yet names x-policy ${JSON.stringify(rule)}`);
      continue;
    }
    if (typeof rule !== 'string') {
      problems.push(`${id}: no x-policy`);
      continue;
    }
    const check = defaults.get(rule);
    if (check === undefined) {
      problems.push(`${id}: x-policy ${rule} is not a rule (src/auth/policy-rules.ts)`);
      continue;
    }
    const sentence = `Policy: \`${rule}\` (default \`${check}\`).`;
    if (!o.description?.includes(sentence)) problems.push(`${id}: its description does not say "${sentence}"`);
    if (!o.responses?.['403']) problems.push(`${id}: does not document the 403 a refusal answers`);
  }
  expect(problems).toEqual([]);
});

it('the unpoliced list names only secured operations that exist', async () => {
  const ids = new Set((await specApi()).getOperations().map((o) => o.operationId));
  for (const id of Object.keys(UNPOLICED)) expect(ids.has(id)).toBe(true);
});

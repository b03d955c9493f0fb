// The layers' import rules (docs/ARCHITECTURE.md): lower layers import nothing above them.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const SRC = path.join(__dirname, '..', '..', 'src');

/** Each layer, and the folders (or files) under src/ it may not import from. */
const FORBIDDEN: Record<string, string[]> = {
  domain: ['api', 'auth', 'db', 'http', 'services', 'app', 'server'],
  db: ['api', 'auth', 'http', 'services', 'errors', 'app', 'server'],
  services: ['api', 'auth', 'http', 'app', 'server'],
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(path.join(dir, entry.name)) : [path.join(dir, entry.name)],
  );
}

it('keeps domain, db and services from importing the layers above them', () => {
  const breaches: string[] = [];
  let checked = 0;
  for (const [layer, forbidden] of Object.entries(FORBIDDEN)) {
    for (const file of filesUnder(path.join(SRC, layer))) {
      for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
        const target = path.relative(SRC, path.resolve(path.dirname(file), specifier!));
        checked++;
        if (forbidden.includes(target.split(path.sep)[0]!)) breaches.push(`${path.relative(SRC, file)} imports ${target}`);
      }
    }
  }
  expect(breaches).toEqual([]);
  expect(checked).toBeGreaterThan(50);
});

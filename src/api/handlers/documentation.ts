// The API document itself, served by the server: the file it routes and validates requests with,
// read once at start, as YAML byte for byte and as JSON (the same document, $refs as written).
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { components } from '../../../generated/openapi';
import type { Json } from '../../db/json-text';
import { SPEC_PATH } from '../../paths';
import type { Handlers } from '../types';

type DocumentationHandlers = Pick<Handlers, 'getOpenApiJson' | 'getOpenApiYaml'>;

export function documentationHandlers(specPath = SPEC_PATH): DocumentationHandlers {
  const yaml = readFileSync(specPath, 'utf8');
  const json = JSON.stringify(parse(yaml)) as Json<components['schemas']['OpenApiDocument']>;
  return {
    getOpenApiJson: () => ({ status: 200, body: json }),
    getOpenApiYaml: () => ({ status: 200, body: yaml }),
  };
}

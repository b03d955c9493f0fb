// The API document itself, served by the server: the file it routes and validates requests with,
// read once at start, as YAML byte for byte and as JSON (the same document, $refs as written);
// and a reference page for people, Swagger UI from swagger-ui-dist, every file of it served here.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { components } from '../../../generated/openapi';
import type { Json } from '../../db/json-text';
import { SPEC_PATH } from '../../paths';
import type { Handlers } from '../types';

type DocumentationHandlers = Pick<Handlers, 'getOpenApiJson' | 'getOpenApiYaml' | 'getDocs' | 'getDocsStyle' | 'getDocsScript'>;

// Relative addresses throughout, so that the page works under a proxy's path prefix too.
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Freezer API reference</title>
<link rel="stylesheet" href="docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="docs/swagger-ui-bundle.js"></script>
<script src="docs/docs.js"></script>
</body>
</html>
`;

// The page's own script: the document from this server, tried out against this server (the
// document's `servers` name the development default), and no validator badge (another site).
const PAGE_SCRIPT = `'use strict';
(async function () {
  var root = new URL('.', location.href);
  var spec = await (await fetch(new URL('openapi.json', root))).json();
  spec.servers = [{ url: root.href.replace(/\\/$/, ''), description: 'This server' }];
  window.ui = SwaggerUIBundle({
    spec: spec,
    dom_id: '#swagger-ui',
    displayOperationId: true,
    deepLinking: true,
    validatorUrl: null,
  });
})();
`;

export function documentationHandlers(specPath = SPEC_PATH): DocumentationHandlers {
  const yaml = readFileSync(specPath, 'utf8');
  const json = JSON.stringify(parse(yaml)) as Json<components['schemas']['OpenApiDocument']>;
  const swaggerUi = path.dirname(require.resolve('swagger-ui-dist/package.json'));
  const style = readFileSync(path.join(swaggerUi, 'swagger-ui.css'), 'utf8');
  const scripts = {
    'swagger-ui-bundle.js': readFileSync(path.join(swaggerUi, 'swagger-ui-bundle.js'), 'utf8'),
    'docs.js': PAGE_SCRIPT,
  };
  return {
    getOpenApiJson: () => ({ status: 200, body: json }),
    getOpenApiYaml: () => ({ status: 200, body: yaml }),
    getDocs: () => ({ status: 200, body: PAGE }),
    getDocsStyle: () => ({ status: 200, body: style }),
    getDocsScript: ({ params }) => ({ status: 200, body: scripts[params.script] }),
  };
}

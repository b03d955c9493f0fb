// spec/openapi.yaml, loaded by openapi-backend: the operations the dispatcher routes and the
// request validators it runs (compiled once, at start).
import addFormats from 'ajv-formats';
import OpenAPIBackend from 'openapi-backend';
import { SPEC_PATH } from '../paths';

/** `definition`: the spec's file, or (for tests comparing with openapi-backend's own handling) another. */
export async function loadSpec(definition: string = SPEC_PATH): Promise<OpenAPIBackend> {
  const api = new OpenAPIBackend({
    definition,
    strict: true,
    // Quick start compiles nothing up front; request validators are compiled below, and response
    // validators (only the tests use them) never are. The spec is linted and tested.
    quick: true,
    coerceTypes: true,
    customizeAjv: (ajv) => {
      addFormats(ajv);
      return ajv;
    },
  });
  await api.init();
  api.validator.preCompileRequestValidators();
  return api;
}

import type { ErrorObject } from 'ajv';
import { describeValidationErrors } from '../../src/api/dispatch/validate';

const error = (e: Partial<ErrorObject>): ErrorObject =>
  ({ keyword: 'type', instancePath: '', schemaPath: '', params: {}, message: 'is invalid', ...e }) as ErrorObject;

describe('describeValidationErrors', () => {
  it.each([
    [error({ keyword: 'required', params: { missingProperty: 'requestBody' } }), 'Missing request body'],
    [
      error({ instancePath: '/query/limit', keyword: 'minimum', message: 'must be >= 1' }),
      'query parameter "limit" must be >= 1',
    ],
    [
      error({ instancePath: '/query', keyword: 'additionalProperties', params: { additionalProperty: 'x' } }),
      'unknown query parameter "x"',
    ],
    [error({ instancePath: '/path', keyword: 'required', params: { missingProperty: 'id' } }), 'path parameter "id" is required'],
    [
      error({ instancePath: '/requestBody', keyword: 'required', params: { missingProperty: 'container' } }),
      'body is missing required property "container"',
    ],
    [
      error({ instancePath: '/requestBody/a~1b/0', keyword: 'type', message: 'must be string' }),
      'body field "a/b.0" must be string',
    ],
    [
      error({ instancePath: '/requestBody/mode', keyword: 'enum', params: { allowedValues: ['fs', 'nova'] } }),
      'body field "mode" must be one of "fs", "nova"',
    ],
    [
      error({ instancePath: '/requestBody', keyword: 'additionalProperties', params: { additionalProperty: 'bad' } }),
      'body has unknown property "bad"',
    ],
  ])('describes %j', (e, sentence) => {
    expect(describeValidationErrors([e])).toBe(sentence);
  });

  it('joins several problems and drops repeats', () => {
    const limit = error({ instancePath: '/query/limit', keyword: 'minimum', message: 'must be >= 1' });
    const offset = error({ instancePath: '/query/offset', keyword: 'minimum', message: 'must be >= 0' });
    expect(describeValidationErrors([limit, offset, limit])).toBe(
      'query parameter "limit" must be >= 1; query parameter "offset" must be >= 0',
    );
  });
});

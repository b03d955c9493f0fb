import { ApiError } from '../../src/errors';
import { checkCapabilities, type Capabilities } from '../../src/domain/capabilities';

const caps: Capabilities = {
  supported_actions: ['backup', 'restore'],
  supported_modes: ['fs', 'mysql'],
  supported_storages: ['swift', 'local'],
  supported_engines: ['tar', 'rsync'],
};

function rejection(actions: Record<string, unknown>[]): unknown {
  try {
    checkCapabilities('node-1', caps, actions);
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('checkCapabilities', () => {
  it('accepts actions whose settings are all supported', () => {
    expect(() =>
      checkCapabilities('node-1', caps, [
        { action: 'backup', mode: 'fs', storage: 'swift', engine_name: 'tar', path_to_backup: '/x' },
        { action: 'restore', mode: 'mysql', storage: 'local', engine: 'rsync' },
      ]),
    ).not.toThrow();
    expect(() => checkCapabilities('node-1', caps, [])).not.toThrow();
  });

  it.each([
    ['action', { action: 'admin' }, 'admin'],
    ['mode', { mode: 'nova' }, 'nova'],
    ['storage', { storage: 's3' }, 's3'],
    ['engine', { engine_name: 'nova' }, 'nova'],
    ['engine', { engine: 'nova' }, 'nova'],
  ])('rejects an unsupported %s with 422', (cap, fa, value) => {
    const e = rejection([{ action: 'backup' }, fa]);
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({
      status: 422,
      title: 'Unprocessable Entity',
      message: `Client node-1 does not support ${cap}: ${value}`,
    });
  });

  it('checks engine_name (what the agent uses) in preference to engine', () => {
    expect(rejection([{ engine_name: 'tar', engine: 'nova' }])).toBeUndefined();
    expect(rejection([{ engine_name: 'nova', engine: 'tar' }])).toMatchObject({
      message: 'Client node-1 does not support engine: nova',
    });
    // An empty engine_name is "not given", so engine is checked.
    expect(rejection([{ engine_name: '', engine: 'nova' }])).toMatchObject({
      message: 'Client node-1 does not support engine: nova',
    });
  });

  it('does not check absent, null or empty settings', () => {
    expect(rejection([{}, { action: null, mode: null, storage: null, engine_name: null, engine: null }])).toBeUndefined();
    expect(rejection([{ action: '', mode: '', storage: '', engine_name: '', engine: '' }])).toBeUndefined();
  });

  it('reports the first unsupported setting, in action, mode, storage, engine order', () => {
    expect(rejection([{ action: 'x', mode: 'y', storage: 'z', engine_name: 'w' }])).toMatchObject({
      message: 'Client node-1 does not support action: x',
    });
    expect(rejection([{ mode: 'y', storage: 'z', engine_name: 'w' }])).toMatchObject({
      message: 'Client node-1 does not support mode: y',
    });
    expect(rejection([{ storage: 'z', engine_name: 'w' }])).toMatchObject({
      message: 'Client node-1 does not support storage: z',
    });
  });

  it('a client with empty lists supports nothing that is set', () => {
    const none: Capabilities = { supported_actions: [], supported_modes: [], supported_storages: [], supported_engines: [] };
    expect(() => checkCapabilities('c', none, [{}])).not.toThrow();
    expect(() => checkCapabilities('c', none, [{ mode: 'fs' }])).toThrow('Client c does not support mode: fs');
  });
});

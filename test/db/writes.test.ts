// A PATCH reads, then writes outside a transaction when it can (src/services/versioned.ts).
// Another writer may act in between; these tests put one exactly there, through a store whose
// actions repository runs it right after the PATCH's first read. Also: bulk inserts.
import { type Store, createStore } from '../../src/db/store';
import { createActionsService } from '../../src/services/actions';
import { createClientsService } from '../../src/services/clients';
import { createJobsService } from '../../src/services/jobs';
import { createSessionsService } from '../../src/services/sessions';
import { engineRows } from '../helpers/engines';
import { startTestServer, type TestServer } from '../helpers/http';
import { testCaller } from '../helpers/fixtures';

describe.each(engineRows)('a PATCH racing other writers on %s', (_name, engine) => {
  let server: TestServer;
  let store: Store;
  const scope = testCaller('racer', 'p');
  const target = (id: string, expected?: number) => ({ scope, id, expected });
  const OLD = { freezer_action: { action: 'backup', path_to_backup: '/old' }, note: 'old' };
  const NEW = { freezer_action: { action: 'restore', restore_abs_path: '/new' } };

  beforeAll(async () => {
    server = await startTestServer(engine);
    store = createStore(server.db);
  });
  afterAll(() => server.close());

  /** Runs `meanwhile` right after the PATCH's first read of the action, once. */
  async function patchWith(
    id: string,
    body: Record<string, unknown>,
    expected: number | undefined,
    meanwhile: () => Promise<void>,
  ) {
    const actions = Object.create(store.actions) as Store['actions'];
    let first = true;
    actions.find = async (...args) => {
      const found = await store.actions.find(...args);
      if (first) {
        first = false;
        await meanwhile();
      }
      return found;
    };
    return createActionsService({ ...store, actions }).update(target(id, expected), body, 'top-level');
  }

  it('applies to the document created again under the same id, not the deleted one it read', async () => {
    const service = createActionsService(store);
    await service.create(scope, { action_id: 'a1', ...OLD });
    // Deleted and created again: the new one is at version 1 too, as the one the PATCH read was.
    const version = await patchWith('a1', { max_retries: 5 }, 1, async () => {
      await service.remove(target('a1'));
      await service.create(scope, { action_id: 'a1', ...NEW });
    });
    expect(version).toBe(2);
    const stored = await store.actions.find(scope, 'a1');
    expect(stored?.doc).toEqual({ ...NEW, max_retries: 5 });
  });

  it('applies on top of a change made meanwhile, and answers 412 when If-Match no longer holds', async () => {
    const service = createActionsService(store);
    await service.create(scope, { action_id: 'a2', ...OLD });
    const version = await patchWith('a2', { max_retries: 5 }, undefined, async () => {
      await service.update(target('a2'), { note: 'meanwhile' }, 'top-level');
    });
    expect(version).toBe(3);
    expect((await store.actions.find(scope, 'a2'))?.doc).toEqual({ ...OLD, note: 'meanwhile', max_retries: 5 });

    await expect(
      patchWith('a2', { max_retries: 6 }, 3, () =>
        service.update(target('a2'), { note: 'again' }, 'top-level').then(() => undefined),
      ),
    ).rejects.toMatchObject({ status: 412 });
    expect((await store.actions.find(scope, 'a2'))?.doc).toEqual({ ...OLD, note: 'again', max_retries: 5 });
  });

  it('answers 404 when the document is deleted meanwhile', async () => {
    const service = createActionsService(store);
    await service.create(scope, { action_id: 'a3', ...OLD });
    await expect(
      patchWith('a3', { max_retries: 5 }, undefined, () => service.remove(target('a3')).then(() => undefined)),
    ).rejects.toMatchObject({ status: 404 });
    expect(await store.actions.find(scope, 'a3')).toBeUndefined();
  });

  it('stores more documents and backups at once than one multi-row INSERT may hold', async () => {
    const owner = scope;
    const ids = await store.backups.insertMany(
      owner,
      Array.from({ length: 1_201 }, (_, i) => ({ backup_name: `b${i}`, container: 'c', hostname: 'h' })),
    );
    expect(new Set(ids).size).toBe(1_201);
    await store.actions.insertMany(
      scope,
      Array.from({ length: 1_201 }, (_, i) => ({ id: `bulk-${i}`, doc: { freezer_action: { action: 'backup' } } })),
    );
    const [counted] = await server
      .db('actions')
      .where({ user_id: scope.userId })
      .where('action_id', 'like', 'bulk-%')
      .count({ n: '*' });
    expect(Number(counted?.n)).toBe(1_201);
  });
});

describe.each(engineRows)("a job PATCH that writes the job's row alone on %s", (_name, engine) => {
  let server: TestServer;
  let store: Store;
  const scope = testCaller('fast', 'p');
  const STEP = { freezer_action: { action: 'backup', mode: 'fs' } };

  beforeAll(async () => {
    server = await startTestServer(engine);
    store = createStore(server.db);
    await createClientsService(store).register(scope, { client_id: 'p_fast' });
  });
  afterAll(() => server.close());

  /** The jobs service over a store that counts reads, writes and transactions. */
  function counted() {
    const calls = { find: 0, update: 0, transaction: 0 };
    const jobs = Object.create(store.jobs) as Store['jobs'];
    jobs.find = (...args) => (calls.find++, store.jobs.find(...args));
    jobs.update = (...args) => (calls.update++, store.jobs.update(...args));
    const counting: Store = { ...store, jobs, transaction: (fn) => (calls.transaction++, store.transaction(fn)) };
    const actions = createActionsService(counting);
    return { calls, service: createJobsService(counting, actions, createSessionsService(counting)) };
  }

  it.each(['top-level', 'merge-patch'] as const)('is one read and one conditional UPDATE (%s)', async (style) => {
    const { calls, service } = counted();
    const id = await service.create(scope, { client_id: 'p_fast', job_actions: [STEP] });
    Object.assign(calls, { find: 0, update: 0, transaction: 0 });
    // What the scheduler sends: its schedule, session id and tag.
    const report = { job_schedule: { status: 'running', event: '' }, session_id: '', session_tag: 0 };
    expect(await service.update({ scope, id, expected: undefined }, report, style)).toBe(2);
    expect(calls).toEqual({ find: 1, update: 1, transaction: 0 });
    // Changing the steps stores them as actions, in a transaction.
    await service.update({ scope, id, expected: undefined }, { job_actions: [{ ...STEP, max_retries: 2 }] }, style);
    expect(calls.transaction).toBe(1);
  });
});

// A PATCH reads, then writes outside a transaction when it can (src/services/documents.ts).
// Another writer may act in between; these tests put one exactly there. Also: bulk inserts.
import type { Knex } from 'knex';
import { BackupsRepo } from '../../src/db/repos/backups';
import { actions } from '../../src/db/repos/kinds';
import { actionService } from '../../src/services/actions';
import { engineRows } from '../helpers/engines';
import { startTestServer, type TestServer } from '../helpers/http';

describe.each(engineRows)('a PATCH racing other writers on %s', (_name, engine) => {
  let server: TestServer;
  const scope = { userId: 'racer', projectId: 'p' };
  const OLD = { freezer_action: { action: 'backup', path_to_backup: '/old' }, note: 'old' };
  const NEW = { freezer_action: { action: 'restore', restore_abs_path: '/new' } };

  beforeAll(async () => {
    server = await startTestServer(engine);
  });
  afterAll(() => server.close());

  /** Runs `meanwhile` right after the PATCH's first read of the action, once. */
  async function patchWith(id: string, body: Record<string, unknown>, expected: number | undefined, meanwhile: () => Promise<void>) {
    const find = actions.find.bind(actions);
    let first = true;
    jest.spyOn(actions, 'find').mockImplementation(async (q: Knex, s, i) => {
      const found = await find(q, s, i);
      if (first) {
        first = false;
        await meanwhile();
      }
      return found;
    });
    try {
      return await actionService(server.db).update(scope, id, body, expected === undefined ? undefined : expected);
    } finally {
      jest.restoreAllMocks();
    }
  }

  it('applies to the document created again under the same id, not the deleted one it read', async () => {
    const service = actionService(server.db);
    await service.create(scope, { action_id: 'a1', ...OLD });
    // Deleted and created again: the new one is at version 1 too, as the one the PATCH read was.
    const version = await patchWith('a1', { max_retries: 5 }, 1, async () => {
      await service.remove(scope, 'a1', undefined);
      await service.create(scope, { action_id: 'a1', ...NEW });
    });
    expect(version).toBe(2);
    const stored = await actions.find(server.db, scope, 'a1');
    expect(stored?.doc).toEqual({ ...NEW, max_retries: 5 });
  });

  it('applies on top of a change made meanwhile, and answers 412 when If-Match no longer holds', async () => {
    const service = actionService(server.db);
    await service.create(scope, { action_id: 'a2', ...OLD });
    const version = await patchWith('a2', { max_retries: 5 }, undefined, async () => {
      await service.update(scope, 'a2', { note: 'meanwhile' }, undefined);
    });
    expect(version).toBe(3);
    expect((await actions.find(server.db, scope, 'a2'))?.doc).toEqual({ ...OLD, note: 'meanwhile', max_retries: 5 });

    await expect(patchWith('a2', { max_retries: 6 }, 3, () => service.update(scope, 'a2', { note: 'again' }, undefined).then(() => undefined)))
      .rejects.toMatchObject({ status: 412 });
    expect((await actions.find(server.db, scope, 'a2'))?.doc).toEqual({ ...OLD, note: 'again', max_retries: 5 });
  });

  it('answers 404 when the document is deleted meanwhile', async () => {
    const service = actionService(server.db);
    await service.create(scope, { action_id: 'a3', ...OLD });
    await expect(patchWith('a3', { max_retries: 5 }, undefined, () => service.remove(scope, 'a3', undefined).then(() => undefined)))
      .rejects.toMatchObject({ status: 404 });
    expect(await actions.find(server.db, scope, 'a3')).toBeUndefined();
  });

  it('stores more documents and backups at once than one multi-row INSERT may hold', async () => {
    const owner = { ...scope, userName: null };
    const ids = await new BackupsRepo(server.db).insertMany(owner, Array.from({ length: 1_201 }, (_, i) => ({ backup_name: `b${i}`, container: 'c', hostname: 'h' })));
    expect(new Set(ids).size).toBe(1_201);
    await actions.insertMany(server.db, scope, Array.from({ length: 1_201 }, (_, i) => ({ id: `bulk-${i}`, doc: { freezer_action: { action: 'backup' } } })));
    const [counted] = await server.db('actions').where({ user_id: scope.userId }).where('action_id', 'like', 'bulk-%').count({ n: '*' });
    expect(Number(counted?.n)).toBe(1_201);
  });
});

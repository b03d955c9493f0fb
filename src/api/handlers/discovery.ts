// Version discovery, the JSON-home documents and the health check.
import type { Store } from '../../db/store';
import type { Handlers } from '../types';

type DiscoveryHandlers = Pick<Handlers, 'getVersions' | 'getHealth' | 'getHomeDocument' | 'getHomeDocumentV1'>;

const backupsResource = (hrefTemplate: string, hrefVars: Record<string, string>) => ({
  resources: {
    'rel/backups': {
      'href-template': hrefTemplate,
      'href-vars': hrefVars,
      hints: { allow: ['GET'], formats: { 'application/json': {} } },
    },
  },
});

const HOME_V1 = backupsResource('/v1/backups/{backup_id}', { backup_id: 'param/backup_id' });
const HOME_V2 = backupsResource('/v2/{project_id}/backups/{backup_id}', {
  project_id: 'param/project_id',
  backup_id: 'param/backup_id',
});

export function discoveryHandlers(store: Store): DiscoveryHandlers {
  return {
    getVersions(_request, ctx) {
      // Links point at the host the client asked, whichever that was (the original froze the first).
      const link = (version: string) => [{ href: `${ctx.protocol}://${ctx.host}/${version}/`, rel: 'self' }];
      return {
        status: 300,
        body: {
          versions: [
            { id: 'v2', status: 'CURRENT', updated: '2018-02-21T13:30:00Z', links: link('v2') },
            { id: 'v1', status: 'DEPRECATED', updated: '2015-03-23T13:45:00Z', links: link('v1') },
          ],
        },
      };
    },

    async getHealth() {
      try {
        await store.ping();
        return { status: 200, body: 'OK' };
      } catch {
        return { status: 503, body: 'DATABASE UNAVAILABLE' };
      }
    },

    getHomeDocument: () => ({ status: 200, body: HOME_V2 }),
    getHomeDocumentV1: () => ({ status: 200, body: HOME_V1 }),
  };
}

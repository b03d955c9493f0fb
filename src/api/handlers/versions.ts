// Version discovery, the JSON-home documents and the health check.
import type { Knex } from 'knex';
import { type Handlers, reply } from '../types';

type VersionHandlers = Pick<Handlers, 'getVersions' | 'getHealth' | 'getHomeDocument' | 'getHomeDocumentV1'>;

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

export function versionHandlers(db: Knex): VersionHandlers {
  return {
    getVersions(_c, ctx) {
      // Links point at the host the client asked, whichever that was (the original froze the first).
      const link = (version: string) => [{ href: `${ctx.protocol}://${ctx.host}/${version}/`, rel: 'self' }];
      reply(ctx, 'getVersions', 300, {
        versions: [
          { id: 'v2', status: 'CURRENT', updated: '2018-02-21T13:30:00Z', links: link('v2') },
          { id: 'v1', status: 'DEPRECATED', updated: '2015-03-23T13:45:00Z', links: link('v1') },
        ],
      });
    },

    async getHealth(_c, ctx) {
      ctx.type = 'text/plain';
      try {
        await db.raw('SELECT 1');
        reply(ctx, 'getHealth', 200, 'OK');
      } catch {
        reply(ctx, 'getHealth', 503, 'DATABASE UNAVAILABLE');
      }
    },

    getHomeDocument(_c, ctx) {
      ctx.type = 'application/json-home';
      reply(ctx, 'getHomeDocument', 200, HOME_V2);
    },

    getHomeDocumentV1(_c, ctx) {
      ctx.type = 'application/json-home';
      reply(ctx, 'getHomeDocumentV1', 200, HOME_V1);
    },
  };
}

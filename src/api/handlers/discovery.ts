// Version discovery and the JSON-home documents.
import type Koa from 'koa';
import { publicBase } from '../../http/proxy';
import type { components } from '../../../generated/openapi';
import type { Handlers } from '../types';

type DiscoveryHandlers = Pick<Handlers, 'getVersions' | 'listVersions' | 'getHomeDocument' | 'getHomeDocumentV1'>;

const JSON_FORMATS = { 'application/json': {} };

const HOME_V1 = {
  resources: {
    'rel/backups': {
      'href-template': '/v1/backups/{backup_id}',
      'href-vars': { backup_id: 'param/backup_id' },
      hints: { allow: ['GET'], formats: JSON_FORMATS },
    },
  },
};

/** As current upstream's: backups, and the jobs a (central) scheduler polls. */
const HOME_V2 = {
  resources: {
    'rel/backups': {
      'href-template': '/v2/{project_id}/backups/{backup_id}',
      'href-vars': { project_id: 'param/project_id', backup_id: 'param/backup_id' },
      hints: { allow: ['GET'], formats: JSON_FORMATS },
    },
    'rel/jobs': {
      'href-template': '/v2/{project_id}/jobs{?all_projects,offset,limit}',
      'href-vars': {
        project_id: 'param/project_id',
        all_projects: 'param/all_projects',
        offset: 'param/offset',
        limit: 'param/limit',
      },
      hints: { allow: ['GET', 'POST'], formats: JSON_FORMATS },
    },
    'rel/job': {
      'href-template': '/v2/{project_id}/jobs/{job_id}',
      'href-vars': { project_id: 'param/project_id', job_id: 'param/job_id' },
      hints: { allow: ['GET', 'POST', 'PATCH', 'DELETE'], formats: JSON_FORMATS },
    },
  },
};

/** `trustProxy`: links name the address a proxy says the client used (src/http/proxy.ts). */
export function discoveryHandlers(trustProxy: boolean): DiscoveryHandlers {
  // Links point at the host the client asked, whichever that was (the original froze the first).
  const versions = (ctx: Koa.Context): components['schemas']['VersionList'] => {
    const base = publicBase(ctx, trustProxy);
    const link = (version: string) => [{ href: `${base}/${version}/`, rel: 'self' }];
    return {
      versions: [
        { id: 'v2', status: 'CURRENT', updated: '2018-02-21T13:30:00Z', links: link('v2') },
        { id: 'v1', status: 'DEPRECATED', updated: '2015-03-23T13:45:00Z', links: link('v1') },
      ],
    };
  };
  return {
    getVersions: (_request, ctx) => ({ status: 300, body: versions(ctx) }),
    listVersions: (_request, ctx) => ({ status: 200, body: versions(ctx) }),

    getHomeDocument: () => ({ status: 200, body: HOME_V2 }),
    getHomeDocumentV1: () => ({ status: 200, body: HOME_V1 }),
  };
}

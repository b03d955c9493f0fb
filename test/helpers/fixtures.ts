// Documents more than one suite stores.
import type { Caller } from '../../src/domain/caller';

/** The customer's API document's example upload, exactly as written (note `host_name`). */
export const SEED_BACKUP = {
  backup_name: 'important_data_backup',
  backup_session: 12344311,
  backup_size_compressed: 1212,
  backup_size_uncompressed: 1212,
  client_os: 'linux',
  compression_alg: 'None',
  container: 'freezer_container',
  encrypted: 'false',
  fs_real_path: '/blabla',
  host_name: 'alpha',
  level: 0,
  max_level: 5,
  mode: 'fs',
  timestamp: 123444311,
  total_backup_session_size: 1212,
  total_broken_links: 0,
  total_directories: 2,
  total_fs_files: 11,
  vol_snap_path: '/blablasnap',
};

/** A caller for suites that use the store directly: user-bound (as v1), with the member role. */
export function testCaller(userId: string, projectId: string): Caller {
  return { userId, projectId, byUser: true, userName: null, roles: ['member'], credentialProjectId: projectId };
}

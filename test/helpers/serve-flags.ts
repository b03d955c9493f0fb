// The V8 flags `npm run serve` starts the server with (package.json's "serve" script), as the
// environment of a server process started through test/helpers/server-process.ts, which passes
// no flags to node: the flags NODE_OPTIONS accepts go into it, the others (--heap-growing-percent)
// are set by a preload as the process starts. Suites that measure the server's memory need them:
// with V8's defaults the heap grows several times its live size before a full collection, so RSS
// swings by ~80 MB every 10-20 s, which buries any trend.
import path from 'node:path';
import packageJson from '../../package.json';

const PRELOAD = path.join(__dirname, 'v8-flags-preload.cjs');

/** The environment (NODE_OPTIONS and the preload's variable) that gives a server process the serve script's V8 flags. */
export function serveFlagsEnv(): Record<string, string> {
  const flags = packageJson.scripts.serve.split(/\s+/).filter((word) => word.startsWith('--'));
  if (flags.length === 0) throw new Error(`no flags found in the serve script: ${packageJson.scripts.serve}`);
  const accepted = flags.filter((flag) => process.allowedNodeEnvironmentFlags.has(flag.split('=')[0]!));
  const others = flags.filter((flag) => !accepted.includes(flag));
  return {
    NODE_OPTIONS: [...accepted, '--require', PRELOAD].join(' '),
    FREEZER_TEST_V8_FLAGS: others.join(' '),
  };
}

// Contract test: Dredd sends every operation × documented status of spec/openapi.yaml to the built
// server (dist/, `npm run build` first) and test/contract/hooks.js checks the answers against the spec.
// Runs on a fresh SQLite file always, and on a fresh MySQL/MariaDB database next to the one
// FREEZER_TEST_MYSQL_URL names when that is set. Exits non-zero if any run failed.
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const knex = require('knex');

const ROOT = path.join(__dirname, '..', '..');
const { knexConfig } = require(path.join(ROOT, 'dist', 'knexfile.js'));

const sqlite = {
  name: 'sqlite',
  async create() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'freezer-contract-'));
    return {
      url: `sqlite:${path.join(dir, 'contract.sqlite')}`,
      drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  },
};

const mysql = (baseUrl) => ({
  name: 'mysql',
  async create() {
    // A sibling database `<name>_contract_<random>`: the freezer user may create `freezer_test%`.
    const url = new URL(baseUrl);
    const name = `${decodeURIComponent(url.pathname.slice(1))}_contract_${randomBytes(4).toString('hex')}`;
    const admin = async (sql) => {
      const db = knex(knexConfig(baseUrl));
      try {
        await db.raw(sql, [name]);
      } finally {
        await db.destroy();
      }
    };
    await admin('CREATE DATABASE ?? CHARACTER SET utf8mb4');
    url.pathname = `/${name}`;
    return { url: url.toString(), drop: () => admin('DROP DATABASE IF EXISTS ??') };
  },
});

/** Starts the built server on a free port (--port 0) and resolves with its URL once it is healthy. */
function startServer(databaseUrl) {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'src', 'main.js'), '--port', '0', '--database', databaseUrl], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`server exited with code ${code} before listening`)));
  });
  return {
    child,
    ready: url.then(async (base) => {
      // The listening line comes after migrations; still, wait for a real health check answer.
      for (let i = 0; i < 100; i++) {
        const res = await fetch(`${base}/healthcheck`).catch(() => null);
        if (res && res.status === 200) return base;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`${base}/healthcheck never answered 200`);
    }),
  };
}

/** Runs Dredd; resolves with its exit code and its `complete:` summary line. */
function runDredd(endpoint) {
  const args = [
    path.join('spec', 'openapi.yaml'),
    endpoint,
    '--config=/nonexistent.yml', // never pick up a stray ./dredd.yml (TOOLCHAIN G10)
    `--hookfiles=${path.join('test', 'contract', 'hooks.js')}`,
    '--language=nodejs',
    '--loglevel=error', // hide the parser's "unsupported key" warnings; results still print
  ];
  return new Promise((resolve) => {
    const child = spawn(path.join(ROOT, 'node_modules', '.bin', 'dredd'), args, {
      cwd: ROOT,
      env: { ...process.env, NODE_OPTIONS: `--require=${path.join(__dirname, 'head-without-body.cjs')}` },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      out += chunk;
    });
    // The reporter colours its labels; strip the escapes to find `complete: N passing, … total`.
    // eslint-disable-next-line no-control-regex -- the escape character is what is being removed
    const summaryOf = () => (/complete: .*total/.exec(out.replace(/\x1b\[[0-9;]*m/g, '')) || [''])[0];
    child.once('close', (code) => resolve({ code, summary: summaryOf() }));
  });
}

async function runOn(engine) {
  console.log(`\n=== contract test on ${engine.name} ===`);
  const db = await engine.create();
  let server;
  try {
    server = startServer(db.url);
    const endpoint = await server.ready;
    const { code, summary } = await runDredd(endpoint);
    return { ok: code === 0, line: `${engine.name}: ${summary || 'no summary'} (dredd exit ${code})` };
  } catch (err) {
    return { ok: false, line: `${engine.name}: ERROR ${err.message}` };
  } finally {
    if (server && server.child.exitCode === null) {
      const exited = new Promise((r) => server.child.once('exit', r));
      server.child.kill('SIGTERM');
      await exited;
    }
    await db.drop().catch((err) => console.error(`${engine.name}: cannot drop the test database: ${err.message}`));
  }
}

async function main() {
  const engines = [sqlite];
  if (process.env.FREEZER_TEST_MYSQL_URL) engines.push(mysql(process.env.FREEZER_TEST_MYSQL_URL));
  const results = [];
  for (const engine of engines) results.push(await runOn(engine));
  console.log('\n=== contract test summary ===');
  for (const r of results) console.log(`${r.ok ? 'PASS' : 'FAIL'} ${r.line}`);
  process.exit(results.every((r) => r.ok) ? 0 : 1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

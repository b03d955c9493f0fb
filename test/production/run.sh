#!/usr/bin/env bash
# The production install, as the README describes it: build here, copy what a deployment needs
# into an empty directory, `npm ci --omit=dev` there (no devDependency may arrive), start the built
# server with `npm run serve`, create a backup and read it back, ask the command line's `migrate
# status` that nothing is pending, and copy the database with `backup-db` while it serves (SQLite;
# on MySQL/MariaDB it must refuse). On a fresh SQLite file always, and on a fresh MySQL/MariaDB
# database next to the one FREEZER_TEST_MYSQL_URL names when that is set. Exits non-zero on any
# failure.
set -euo pipefail

# The command line inside the deployment (source: src/main.ts, package.json's "bin").
CLI=dist/src/main.js

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
# Everything the built server and its command line read at run time. The spec is found from the
# directory holding package.json (src/paths.ts); the migrations are compiled into dist/.
DEPLOYMENT=(package.json package-lock.json dist spec)

fail() { printf 'production install: FAIL: %s\n' "$*" >&2; exit 1; }
step() { printf '\n=== production install: %s\n' "$*"; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/freezer-production-XXXXXX")"
APP="$WORK/app"
SERVER_PID=
DROP_DATABASE=
cleanup() {
  stop_server || true
  if [ -n "$DROP_DATABASE" ]; then
    (cd "$APP" && mysql_admin 'DROP DATABASE IF EXISTS ??' "$DROP_DATABASE") ||
      echo "production install: cannot drop the test database $DROP_DATABASE" >&2
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# mysql_admin SQL NAME: runs SQL with NAME as its one identifier, as the FREEZER_TEST_MYSQL_URL user,
# through the deployment's own knex and mysql2.
mysql_admin() {
  SQL="$1" NAME="$2" node -e '
    const knex = require("knex");
    const { knexConfig } = require("./dist/knexfile.js");
    const db = knex(knexConfig(process.env.FREEZER_TEST_MYSQL_URL));
    db.raw(process.env.SQL, [process.env.NAME])
      .catch((err) => { console.error(err.message); process.exitCode = 1; })
      .finally(() => db.destroy());'
}

# request METHOD URL [JSON]: prints "<status> <body>".
request() {
  METHOD="$1" URL="$2" BODY="${3:-}" node -e '
    const { METHOD: method, URL: url, BODY: body } = process.env;
    const headers = body ? { "Content-Type": "application/json" } : {};
    fetch(url, { method, headers, body: body || undefined })
      .then(async (res) => console.log(res.status, await res.text()))
      .catch((err) => { console.log(0, err.message); process.exitCode = 1; });'
}

# expect_status WHAT STATUS METHOD URL [JSON]: fails unless the answer has STATUS; sets BODY.
expect_status() {
  local what="$1" status="$2" answer
  shift 2
  answer="$(request "$@")" || fail "$what: no answer ($answer)"
  BODY="${answer#* }"
  [ "${answer%% *}" = "$status" ] || fail "$what: expected $status, got ${answer%% *}: $BODY"
  echo "ok: $what ($status)"
}

start_server() {
  local database="$1" log="$WORK/server.log"
  : >"$log"
  (cd "$APP" && exec setsid npm run -s serve -- --port 0 --database "$database") >"$log" 2>&1 &
  SERVER_PID=$!
  BASE=
  for _ in $(seq 1 300); do
    # The log is JSON lines (stdout is not a terminal); the start-up line says where it listens.
    BASE="$(sed -n 's/.*"msg":"freezer-api listening on \(http:[^ ]*\).*/\1/p' "$log")"
    [ -n "$BASE" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$log" >&2; fail "the server exited before listening"; }
    sleep 0.1
  done
  [ -n "$BASE" ] || { cat "$log" >&2; fail "the server did not say it was listening within 30 s"; }
  echo "ok: $(grep -m1 'listening on' "$log")"
}

stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  # npm, its shell and node share the process group setsid made; stop them all (or only the
  # process, if it is so new that it has not made its group yet).
  kill -TERM -- "-$SERVER_PID" 2>/dev/null || kill -TERM "$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL -- "-$SERVER_PID" 2>/dev/null || kill -KILL "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
}

# check_backup_db ENGINE DATABASE: SQLite is copied while the server runs; MySQL is refused (exit 2).
check_backup_db() {
  local engine="$1" database="$2" copy="$WORK/copy-$1.sqlite" said code=0
  said="$(cd "$APP" && node "$CLI" backup-db "$copy" --database "$database" 2>&1)" || code=$?
  if [ "$engine" = sqlite ]; then
    [ "$code" = 0 ] && [ -s "$copy" ] || fail "node $CLI backup-db: exit $code: $said"
  else
    [ "$code" = 2 ] && grep -q mariadb-dump <<<"$said" || fail "node $CLI backup-db on $engine: exit $code: $said"
  fi
  echo "ok: node $CLI backup-db: $said"
}

check_on() {
  local engine="$1" database="$2" status said
  step "$engine"
  start_server "$database"
  expect_status "GET /healthcheck" 200 GET "$BASE/healthcheck"
  expect_status "POST /v2/p1/backups" 201 POST "$BASE/v2/p1/backups" '{"backup_name":"b","container":"c","hostname":"h"}'
  local id
  id="$(node -e 'console.log(JSON.parse(process.argv[1]).backup_id)' "$BODY")"
  [ -n "$id" ] && [ "$id" != undefined ] || fail "POST /v2/p1/backups: no backup_id in $BODY"
  expect_status "GET /v2/p1/backups/$id" 200 GET "$BASE/v2/p1/backups/$id"
  # The typed client, as a TypeScript user's code loads it: the package's subpath.
  said="$(cd "$APP" && BASE="$BASE" ID="$id" node -e '
    const { createFreezerClient } = require("freezer-api/client");
    const client = createFreezerClient({ baseUrl: process.env.BASE });
    client.GET("/v2/{project_id}/backups/{backup_id}", { params: { path: { project_id: "p1", backup_id: process.env.ID } } })
      .then(({ data, response }) => console.log(response.status, data && data.backup_id))
      .catch((err) => { console.log(0, err.message); process.exitCode = 1; });' 2>&1)" || fail "freezer-api/client: $said"
  [ "$said" = "200 $id" ] || fail "freezer-api/client read the backup as: $said"
  echo "ok: require(\"freezer-api/client\") read the backup back"
  status="$(cd "$APP" && node "$CLI" migrate status --database "$database" 2>&1)" ||
    fail "node $CLI migrate status: $status"
  grep -qx 'pending: (none)' <<<"$status" || fail "migrations pending after start: $status"
  grep -q '^applied: [^(]' <<<"$status" || fail "no migration applied: $status"
  echo "ok: node $CLI migrate status: nothing pending"
  check_backup_db "$engine" "$database"
  stop_server
}

step "build"
cd "$ROOT"
npm run -s build

step "deployment in $APP"
mkdir -p "$APP"
for item in "${DEPLOYMENT[@]}"; do
  [ -e "$item" ] || fail "$item is missing from the repository"
  cp -R "$item" "$APP/"
done
[ -f "$APP/$CLI" ] || fail "the build has no $CLI"
head -n1 "$APP/$CLI" | grep -qx '#!/usr/bin/env node' || fail "$CLI does not start with its #! line (package.json's bin runs it)"
cd "$APP"
npm ci --omit=dev --no-audit --no-fund
for dev in typescript tsx jest eslint prettier dredd @swc/core; do
  [ ! -e "node_modules/$dev" ] || fail "devDependency $dev was installed by npm ci --omit=dev"
done
# Every package the lockfile marks as dev-only must be absent, not only the names above.
node -e '
  const fs = require("node:fs");
  const installed = Object.entries(require("./package-lock.json").packages)
    .filter(([path, pkg]) => path && pkg.dev && fs.existsSync(path))
    .map(([path]) => path);
  if (installed.length) {
    console.error(`dev-only packages installed: ${installed.join(", ")}`);
    process.exit(1);
  }' || fail "npm ci --omit=dev installed dev-only packages"
echo "ok: no devDependency installed ($(ls node_modules | wc -l) top-level entries in node_modules)"

check_on sqlite "sqlite:$WORK/freezer.sqlite"
engines=sqlite

if [ -n "${FREEZER_TEST_MYSQL_URL:-}" ]; then
  # A sibling database `<name>_prod_<random>`: the test user may create `freezer_test%`.
  base_name="$(node -e 'console.log(decodeURIComponent(new URL(process.argv[1]).pathname.slice(1)))' "$FREEZER_TEST_MYSQL_URL")"
  name="${base_name}_prod_$(node -e 'console.log(require("node:crypto").randomBytes(4).toString("hex"))')"
  mysql_admin 'CREATE DATABASE ?? CHARACTER SET utf8mb4' "$name" || fail "cannot create the database $name"
  DROP_DATABASE="$name"
  url="$(node -e 'const u = new URL(process.argv[1]); u.pathname = `/${process.argv[2]}`; console.log(u.toString())' "$FREEZER_TEST_MYSQL_URL" "$name")"
  check_on mysql "$url"
  engines="$engines, mysql"
fi

printf '\nproduction install: PASS (%s)\n' "$engines"

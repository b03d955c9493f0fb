#!/usr/bin/env bash
# Runs the ORIGINAL freezer-api 13.0.0 (Debian bookworm's package) the way the performance issue
# describes it: uWSGI with Debian's own /etc/freezer/freezer-api-uwsgi.ini (4 processes, 1 thread
# each, lazy-apps, thunder-lock, `Connection: close`), SQLAlchemy backend on the same MariaDB.
# Keystone authtoken is removed from the paste pipeline (a copy of Debian's freezer-paste.ini);
# requests must then carry the headers keystonemiddleware would have set:
#   X-Identity-Status: Confirmed, X-User-Id, X-Project-Id, X-Roles (and X-User-Name for backups).
#
# Usage: bench/original.sh [PORT] [ADMIN_URL]     start (recreates database freezer_original)
#        bench/original.sh stop [PORT]             stop the instance this script started
#   PORT      default 9292
#   ADMIN_URL a MariaDB admin URL in the bench's format (FREEZER_BENCH_MYSQL_URL), default
#             mysql://root@localhost/?socketPath=/run/mysqld/mysqld.sock ; also used by the app.
# Prints the uWSGI master PID, then "original listening on PORT". Config, pid and logs are in
# /tmp/freezer-original-PORT/ (recreated on each start; uwsgi.log has uWSGI's and the app's log).
set -euo pipefail

# Stops the uWSGI master recorded in $1 (die-on-term: SIGTERM ends master and workers).
stop() {
  local pid; pid=$(cat "$1" 2>/dev/null) || return 0
  if kill "$pid" 2>/dev/null; then
    while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done; echo "stopped $pid" >&2
  fi
  rm -f "$1"
}
if [[ "${1:-}" == stop ]]; then stop "/tmp/freezer-original-${2:-9292}/uwsgi.pid"; exit 0; fi
PORT=${1:-9292}
ADMIN_URL=${2:-mysql://root@localhost/?socketPath=/run/mysqld/mysqld.sock}
WORK=/tmp/freezer-original-$PORT

# 1. Packages. freezer-api (not only python3-freezer-api) carries Debian's uwsgi ini, paste ini and
# init script. Its postinst asks debconf about dbconfig/keystone (preseeded to "no") and runs
# invoke-rc.d start (blocked by a temporary policy-rc.d, unless one already exists).
PKGS="freezer-api python3-freezer-api uwsgi uwsgi-plugin-python3 python3-pymysql curl"
missing=$(for p in $PKGS; do dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || echo "$p"; done)
if [[ -n $missing ]]; then
  echo "installing $missing" >&2
  debconf-set-selections <<'EOF'
freezer-api freezer-api/configure_db boolean false
freezer-api freezer-api/configure_api-endpoint boolean false
freezer-api freezer-api/configure_ksat boolean false
EOF
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT  # removed when this script exits
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends $missing >&2 \
    || { apt-get update -q >&2 && apt-get install -y -q --no-install-recommends $missing >&2; }
fi

# Stop a previous instance on this port (only the one recorded by this script).
stop "$WORK/uwsgi.pid"
if curl -s -o /dev/null "http://127.0.0.1:$PORT/"; then echo "port $PORT is already in use" >&2; exit 1; fi

# 2. Database (dropped and recreated) and the app's SQLAlchemy URL, derived from ADMIN_URL.
# /usr/bin/python3: Debian's, which has pymysql (a pyenv python3 may come first in PATH).
DB_URL=$(ADMIN_URL=$ADMIN_URL /usr/bin/python3 - <<'EOF'
import os, pymysql
from urllib.parse import urlsplit, parse_qs, quote, unquote
u = urlsplit(os.environ['ADMIN_URL']); q = parse_qs(u.query)
sock = (q.get('socketPath') or q.get('unix_socket') or [None])[0]
user, pw = unquote(u.username or 'root'), unquote(u.password or '')
kw = dict(unix_socket=sock) if sock else dict(host=u.hostname or '127.0.0.1', port=u.port or 3306)
c = pymysql.connect(user=user, password=pw, **kw)
with c.cursor() as cur:
    cur.execute('DROP DATABASE IF EXISTS freezer_original')
    cur.execute('CREATE DATABASE freezer_original CHARACTER SET utf8mb4')
auth = quote(user, safe='') + (':' + quote(pw, safe='') if pw else '')
where = f'localhost/freezer_original?unix_socket={sock}&' if sock else f'{u.hostname}:{u.port or 3306}/freezer_original?'
print(f'mysql+pymysql://{auth}@{where}charset=utf8mb4')
EOF
)

# Config dir, readable by the `freezer` user that Debian's ini switches to (uid/gid = freezer).
rm -rf "$WORK"; mkdir -m 770 "$WORK"; chgrp freezer "$WORK"
cat > "$WORK/freezer-api.conf" <<EOF
[DEFAULT]
# v2 only (the default); no --log-file: oslo.log writes to stderr, i.e. uwsgi's logto
enable_v1_api = False
[paste_deploy]
config_file = $WORK/freezer-paste.ini
[storage]
backend = sqlalchemy
driver = sqlalchemy
[database]
connection = $DB_URL
EOF
# Debian's paste pipeline minus authtoken:
#   healthcheck http_proxy_to_wsgi versionsNegotiator context backupapp
sed '/^pipeline = .*authtoken/s/ authtoken//' /etc/freezer/freezer-paste.ini > "$WORK/freezer-paste.ini"
grep -q authtoken <(grep '^pipeline' "$WORK/freezer-paste.ini" | head -1) && { echo "authtoken still in pipeline" >&2; exit 1; }
chgrp freezer "$WORK"/*; chmod 640 "$WORK"/*

# Schema, with the package's own tool (13.0.0: sqlalchemy-migrate, versions 001..003).
freezer-manage --config-file "$WORK/freezer-api.conf" db sync >"$WORK/db-sync.log" 2>&1 \
  || { cat "$WORK/db-sync.log" >&2; exit 1; }

# 3. uWSGI as Debian's init script runs it (uwsgi_python3 --http-socket IP:PORT --ini <debian ini>),
# with the config passed through --pyargv (the init script's PYARGV hook) and the log redirected.
# processes = 4 is already Debian's value; it is repeated so that the 4 is explicit.
cd /
setsid /usr/bin/uwsgi_python3 --http-socket "127.0.0.1:$PORT" --ini /etc/freezer/freezer-api-uwsgi.ini \
  --processes 4 --logto "$WORK/uwsgi.log" --pyargv "--config-file $WORK/freezer-api.conf" \
  </dev/null >/dev/null 2>&1 &
PID=$!
echo "$PID" > "$WORK/uwsgi.pid"
echo "uwsgi master PID $PID (config and log in $WORK; stop with: $0 stop $PORT)"
trap 'stop "$WORK/uwsgi.pid"' ERR  # not left running if it never answers

# 4. Ready when all 4 workers have loaded the app (lazy-apps: each loads it itself, 4-10 s, and
# the first answers long before the last) and /v2 answers through the whole pipeline.
for _ in $(seq 1 120); do
  kill -0 "$PID" 2>/dev/null || { tail -30 "$WORK/uwsgi.log" >&2; false; }
  [[ $(grep -c "^WSGI app 0 (mountpoint='') ready" "$WORK/uwsgi.log" 2>/dev/null) -ge 4 ]] || { sleep 0.5; continue; }
  code=$(curl -s -o /dev/null -w '%{http_code}' -H 'X-Identity-Status: Confirmed' -H 'X-User-Id: probe' \
    -H 'X-Project-Id: probe' -H 'X-Roles: admin' "http://127.0.0.1:$PORT/v2/probe/backups?limit=1" || true)
  if [[ $code == 200 ]]; then echo "original listening on $PORT"; exit 0; fi
  sleep 0.5
done
echo "no answer on $PORT after 60 s" >&2; tail -30 "$WORK/uwsgi.log" >&2; false

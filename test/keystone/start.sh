#!/usr/bin/env bash
# Starts a real OpenStack Keystone on 127.0.0.1 for the keystone-mode tests, and prints the
# environment the tests read (eval "$(test/keystone/start.sh)").
#   - installs Debian's python3-keystone (and uWSGI) when missing;
#   - SQLite, fernet tokens, one uWSGI process, in-process cache (validations ~10 ms, not ~0.5 s);
#   - the API's service user `freezer` (roles `service` and `admin` in project `service`: admin to
#     delete trusts whose trustor is someone else), projects p1 and p2 with users alice and bob
#     (role `member`), carol (only `reader`, in p1), dave (only `service`, in project `service`:
#     a scheduler account), bootstrap's `admin`, and the `backup` catalog entry pointing at
#     FREEZER_API_URL.
# Usage: KS_DIR=/tmp/ks KS_PORT=5000 FREEZER_API_URL=http://127.0.0.1:9090 test/keystone/start.sh
set -euo pipefail
export PATH=/usr/sbin:/usr/bin:/sbin:/bin NO_PROXY=127.0.0.1,localhost # Debian's python3, not a shim
D=${KS_DIR:-/tmp/freezer-keystone}
PORT=${KS_PORT:-5000}
API_URL=${FREEZER_API_URL:-http://127.0.0.1:9090}
KS=http://127.0.0.1:$PORT/v3
log() { echo "keystone: $*" >&2; }

if ! command -v keystone-manage >/dev/null || ! command -v uwsgi_python3 >/dev/null; then
  log "installing python3-keystone and uWSGI"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-keystone uwsgi-core uwsgi-plugin-python3 curl >&2
fi

if ! curl -sf -o /dev/null "$KS"; then
  if [ -f "$D/uwsgi.pid" ] && kill -0 "$(cat "$D/uwsgi.pid")" 2>/dev/null; then
    kill "$(cat "$D/uwsgi.pid")" 2>/dev/null || true
    sleep 1
  fi
  mkdir -p "$D"
  # Comments on their own lines: oslo.config and uWSGI keep trailing ones as part of the value.
  cat > "$D/keystone.conf" <<CONF
[DEFAULT]
log_file = $D/keystone.log
[database]
connection = sqlite:///$D/keystone.db
[token]
provider = fernet
expiration = 3600
[fernet_tokens]
key_repository = $D/fernet-keys
max_active_keys = 3
[fernet_receipts]
key_repository = $D/fernet-keys
[credential]
key_repository = $D/credential-keys
[identity]
# bcrypt rounds 4: password auth in ~9 ms instead of ~0.35 s
password_hash_rounds = 4
[resource]
admin_project_domain_name = Default
admin_project_name = admin
[cache]
enabled = true
backend = oslo_cache.dict
expiration_time = 600
[oslo_policy]
enforce_scope = false
enforce_new_defaults = false
CONF
  cat > "$D/uwsgi.ini" <<INI
[uwsgi]
http-socket = 127.0.0.1:$PORT
add-header = Connection: close
wsgi-file = /usr/bin/keystone-wsgi-public
env = OS_KEYSTONE_CONFIG_DIR=$D
env = PYTHONDONTWRITEBYTECODE=1
chdir = $D
master = true
# one process, one thread: SQLite and the in-process cache are not shared between processes, and
# concurrent writes (trusts made and deleted while other suites authenticate) lock SQLite out
# ("database is locked", a 500) when threads overlap; requests queue instead
processes = 1
threads = 1
enable-threads = true
lazy-apps = true
need-app = true
die-on-term = true
no-orphans = true
skip-atexit-teardown = true
buffer-size = 65535
logto = $D/uwsgi.log
INI
  KM="keystone-manage --config-file $D/keystone.conf"
  if [ ! -f "$D/keystone.db" ]; then
    log "creating its database and keys in $D"
    $KM db_sync 2>>"$D/manage.log" & a=$!
    $KM fernet_setup --keystone-user root --keystone-group root 2>>"$D/manage.log" & b=$!
    $KM credential_setup --keystone-user root --keystone-group root 2>>"$D/manage.log" & c=$!
    wait $a && wait $b && wait $c
    $KM bootstrap --bootstrap-username admin --bootstrap-password admin-secret \
      --bootstrap-project-name admin --bootstrap-role-name admin \
      --bootstrap-service-name keystone --bootstrap-region-id RegionOne \
      --bootstrap-public-url "$KS/" --bootstrap-internal-url "$KS/" 2>>"$D/manage.log"
  fi
  start-stop-daemon --start --background --make-pidfile --pidfile "$D/uwsgi.pid" \
    --chdir "$D" --exec /usr/bin/uwsgi_python3 -- --ini "$D/uwsgi.ini"
  for _ in $(seq 1 100); do curl -sf -o /dev/null "$KS" && break; sleep 0.2; done
  curl -sf -o /dev/null "$KS" || { log "did not start; see $D/uwsgi.log"; exit 1; }
fi

# Resources, get-or-create, with curl (the openstack CLI costs a second per call).
token() { # user password project -> token
  curl -sf -D - -o /dev/null -H 'Content-Type: application/json' "$KS/auth/tokens?nocatalog" -d "{\"auth\":{
    \"identity\":{\"methods\":[\"password\"],\"password\":{\"user\":{\"name\":\"$1\",\"domain\":{\"name\":\"Default\"},\"password\":\"$2\"}}},
    \"scope\":{\"project\":{\"name\":\"$3\",\"domain\":{\"name\":\"Default\"}}}}}" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-subject-token"{print $2}'
}
ADMIN=$(token admin admin-secret admin)
api() { curl -sf -X "$1" -H "X-Auth-Token: $ADMIN" -H 'Content-Type: application/json' "$KS$2" ${3:+-d "$3"}; }
id_of() { python3 -c 'import json,sys; d=json.load(sys.stdin); k=[k for k in d if isinstance(d[k], list)][0]; print(d[k][0]["id"] if d[k] else "")'; }
ensure() { # kind query create-body -> id
  local id; id=$(api GET "/$1?$2" | id_of)
  [ -n "$id" ] || id=$(api POST "/$1" "$3" | python3 -c 'import json,sys; print(list(json.load(sys.stdin).values())[0]["id"])')
  echo "$id"
}
SERVICE_ROLE=$(ensure roles name=service '{"role":{"name":"service"}}')
MEMBER_ROLE=$(ensure roles name=member '{"role":{"name":"member"}}')
READER_ROLE=$(ensure roles name=reader '{"role":{"name":"reader"}}')
ADMIN_ROLE=$(ensure roles name=admin '{"role":{"name":"admin"}}')
for p in service p1 p2; do
  eval "P_$p=\$(ensure projects 'name=$p&domain_id=default' '{\"project\":{\"name\":\"$p\",\"domain_id\":\"default\"}}')"
done
user() { # name password project role
  local id; id=$(ensure users "name=$1&domain_id=default" "{\"user\":{\"name\":\"$1\",\"domain_id\":\"default\",\"password\":\"$2\",\"default_project_id\":\"$3\"}}")
  api PUT "/projects/$3/users/$id/roles/$4" >/dev/null
  echo "$id"
}
FREEZER=$(user freezer freezer-secret "$P_service" "$SERVICE_ROLE")
api PUT "/projects/$P_service/users/$FREEZER/roles/$ADMIN_ROLE" >/dev/null
ALICE=$(user alice alice-secret "$P_p1" "$MEMBER_ROLE")
BOB=$(user bob bob-secret "$P_p2" "$MEMBER_ROLE")
CAROL=$(user carol carol-secret "$P_p1" "$READER_ROLE")
DAVE=$(user dave dave-secret "$P_service" "$SERVICE_ROLE")
ADMIN_USER=$(api GET "/users?name=admin&domain_id=default" | id_of)
BACKUP=$(ensure services type=backup '{"service":{"type":"backup","name":"freezer","description":"Backup Service"}}')
for iface in public internal; do
  current=$(api GET "/endpoints?service_id=$BACKUP&interface=$iface")
  if ! echo "$current" | grep -q "\"url\": *\"$API_URL\""; then
    for old in $(echo "$current" | python3 -c 'import json,sys; print(" ".join(e["id"] for e in json.load(sys.stdin)["endpoints"]))'); do
      api DELETE "/endpoints/$old" >/dev/null
    done
    api POST /endpoints "{\"endpoint\":{\"service_id\":\"$BACKUP\",\"interface\":\"$iface\",\"url\":\"$API_URL\",\"region_id\":\"RegionOne\"}}" >/dev/null
  fi
done

cat <<ENV
export FREEZER_TEST_KEYSTONE_URL=$KS
export FREEZER_TEST_KEYSTONE_P1=$P_p1
export FREEZER_TEST_KEYSTONE_P2=$P_p2
export FREEZER_TEST_KEYSTONE_SERVICE_PROJECT=$P_service
export FREEZER_TEST_KEYSTONE_ALICE=$ALICE
export FREEZER_TEST_KEYSTONE_BOB=$BOB
export FREEZER_TEST_KEYSTONE_CAROL=$CAROL
export FREEZER_TEST_KEYSTONE_DAVE=$DAVE
export FREEZER_TEST_KEYSTONE_FREEZER=$FREEZER
export FREEZER_TEST_KEYSTONE_ADMIN=$ADMIN_USER
export FREEZER_TEST_KEYSTONE_LOG=$D/uwsgi.log
ENV
log "running at $KS (state in $D)"

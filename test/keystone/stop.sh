#!/usr/bin/env bash
# Stops the Keystone test/keystone/start.sh started.
D=${KS_DIR:-/tmp/freezer-keystone}
[ -f "$D/uwsgi.pid" ] && kill "$(cat "$D/uwsgi.pid")" 2>/dev/null
exit 0

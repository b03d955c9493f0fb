#!/usr/bin/env bash
# Installs the real Freezer clients test/clients/real-clients.test.ts drives, as Debian packages them:
#   python3-freezerclient (the `freezer` CLI, 5.0.0 on bookworm),
#   freezer-scheduler and python3-freezer (freezer-scheduler and freezer-agent, 13.0.0 on bookworm).
# Does nothing when they are already there. Needs root (or sudo) for apt-get.
# Usage: test/clients/install.sh
set -euo pipefail
export PATH=/usr/sbin:/usr/bin:/sbin:/bin # Debian's python3, not a pyenv shim
log() { echo "freezer clients: $*" >&2; }

if command -v freezer >/dev/null && command -v freezer-scheduler >/dev/null && command -v freezer-agent >/dev/null; then
  log "already installed ($(freezer --version 2>&1))"
  exit 0
fi

SUDO=
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { log "run as root (apt-get needs it) or install sudo"; exit 1; }
  SUDO=sudo
fi
log "installing python3-freezerclient, freezer-scheduler and python3-freezer"
$SUDO apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-freezerclient freezer-scheduler python3-freezer
for command in freezer freezer-scheduler freezer-agent; do
  command -v "$command" >/dev/null || { log "$command is still missing after the install"; exit 1; }
done
log "installed ($(freezer --version 2>&1))"

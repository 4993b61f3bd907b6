#!/usr/bin/env bash
# Makes a Docker engine available to the tests, idempotently:
# - an engine that already answers (`docker info`) is used as it is;
# - otherwise, as root, it starts `dockerd` in the background, after removing a stale pid
#   file or socket left by a dead daemon, and waits until `docker info` answers.
# It says exactly what is missing and how to fix it when it cannot.
#
# Usage: bash docker/start-engine.sh   (env: REBIND_DOCKERD_TIMEOUT seconds, default 60;
#                                            REBIND_DOCKERD_LOG, default /var/log/rebind-dockerd.log)
set -euo pipefail
die() { printf 'start-engine: %s\n' "$*" >&2; exit 1; }

command -v docker >/dev/null || die "the docker CLI is missing. Fix: apt-get install -y docker.io"
if docker info >/dev/null 2>&1; then
  echo "start-engine: a Docker engine already answers ($(docker info -f '{{.ServerVersion}}' 2>/dev/null))"
  exit 0
fi
if [ -n "${DOCKER_HOST:-}" ] && [[ "$DOCKER_HOST" != unix://* ]]; then
  die "DOCKER_HOST=$DOCKER_HOST does not answer, and a remote engine cannot be started from here. Fix: start that engine, or unset DOCKER_HOST"
fi
[ "$(id -u)" = 0 ] || die "no Docker engine answers and starting dockerd needs root (you are uid $(id -u)). Fix: sudo bash $0"
command -v dockerd >/dev/null || die "dockerd is missing. Fix: apt-get install -y docker.io"

pidfile=/var/run/docker.pid
sock=/var/run/docker.sock
if [ -f "$pidfile" ]; then
  pid=$(cat "$pidfile" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -q dockerd "/proc/$pid/cmdline" 2>/dev/null; then
    echo "start-engine: dockerd (pid $pid) is running but does not answer yet; waiting for it"
  else
    echo "start-engine: removing the stale pid file $pidfile (pid ${pid:-none} is not a running dockerd)"
    rm -f "$pidfile"
    pid=""
  fi
else
  pid=""
fi
if [ -z "$pid" ]; then
  [ -S "$sock" ] && { echo "start-engine: removing the stale socket $sock"; rm -f "$sock"; }
  log=${REBIND_DOCKERD_LOG:-/var/log/rebind-dockerd.log}
  # setsid: the daemon outlives this script and is not in the tests' process group.
  setsid dockerd >>"$log" 2>&1 < /dev/null &
  echo "start-engine: started dockerd (pid $!), log $log"
fi

limit=${REBIND_DOCKERD_TIMEOUT:-60}
for _ in $(seq 1 $((limit * 4))); do
  if docker info >/dev/null 2>&1; then
    echo "start-engine: the Docker engine answers ($(docker info -f '{{.ServerVersion}}' 2>/dev/null))"
    exit 0
  fi
  sleep 0.25
done
die "dockerd did not answer within ${limit}s. Its log: ${REBIND_DOCKERD_LOG:-/var/log/rebind-dockerd.log} (last lines below)
$(tail -n 15 "${REBIND_DOCKERD_LOG:-/var/log/rebind-dockerd.log}" 2>/dev/null)"

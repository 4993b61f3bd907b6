#!/usr/bin/env bash
# Installs and starts what the tests need on this machine:
#   nginx, docker.io (dockerd + CLI), docker-compose, iproute2 (ss), lsof, busybox-static,
#   libnginx-mod-http-echo (a real third-party nginx module, for integration/module-author);
#   python3 (a real holder in the CLI tests), openssh-server (the DOCKER_HOST=ssh:// test
#   starts its own sshd on a loopback address; the system's sshd is never started);
#   a running Docker engine; rebind's offline test images.
# As root on Debian/Ubuntu it installs what is missing with apt-get; otherwise it prints
# the exact command to run and exits 1. Safe to run again: it only does what is missing.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

declare -A need=(
  [nginx]=nginx [dockerd]=docker.io [docker-compose]=docker-compose
  [ss]=iproute2 [lsof]=lsof [busybox]=busybox-static [python3]=python3
  [sshd]=openssh-server [ssh]=openssh-client
)
missing=()
for cmd in "${!need[@]}"; do
  if ! command -v "$cmd" >/dev/null 2>&1 && ! [ -x "/usr/sbin/$cmd" ]; then missing+=("${need[$cmd]}"); fi
done
# busybox must be the static build: it goes into a container image as it is.
if command -v busybox >/dev/null 2>&1 && ldd "$(command -v busybox)" >/dev/null 2>&1 && ! [ -x /bin/busybox ]; then
  missing+=(busybox-static)
fi
# the docker.io package also brings the CLI; an image's own docker CLI alone is not enough.
command -v docker >/dev/null 2>&1 || missing+=(docker.io)
# A dynamic module built for Debian's nginx ABI (integration/module-author loads it).
[ -e /usr/share/nginx/modules/ngx_http_echo_module.so ] || missing+=(libnginx-mod-http-echo)

if [ ${#missing[@]} -gt 0 ]; then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing[*]}"
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "prepare-system: missing ${missing[*]}. Install them as root: $cmd" >&2
    exit 1
  fi
  echo "prepare-system: installing ${missing[*]}"
  apt-get update -qq
  # Installing a daemon's package must not start it as a system service (openssh-server
  # would start an sshd on port 22): without a policy-rc.d, one that refuses every start
  # is put in place for the install and removed after.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
echo "prepare-system: nginx (with the echo module), docker, docker-compose, ss, lsof, busybox and sshd are installed"

bash "$here/docker/start-engine.sh"
bash "$here/docker/build-images.sh"

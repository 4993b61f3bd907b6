#!/usr/bin/env bash
# Builds rebind's offline test images without any registry: each is a rootfs made from
# this host's own files and loaded with `docker import`. An image is rebuilt only when it
# is missing or its `rebind.image.hash` label differs from the hash of what would go in.
#
#   rebind/busybox:test  busybox-static, `sh`, `httpd`, `nc` ...
#   rebind/nginx:test    the host's nginx binary and the libraries `ldd` lists, plus
#                        busybox; serves `GET /` with the container's hostname.
#
# Usage: bash docker/build-images.sh [--force]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
force=${1:-}

die() { printf 'build-images: %s\n' "$*" >&2; exit 1; }
command -v docker >/dev/null || die "the docker CLI is missing. Fix: apt-get install -y docker.io"
docker info >/dev/null 2>&1 || die "no Docker engine answers. Fix: bash $here/start-engine.sh"

busybox_bin=$(command -v busybox || true)
[ -n "$busybox_bin" ] && [ -x /bin/busybox ] && busybox_bin=/bin/busybox
[ -n "$busybox_bin" ] || die "busybox is missing. Fix: apt-get install -y busybox-static"
if ldd "$busybox_bin" >/dev/null 2>&1; then
  die "$busybox_bin is dynamically linked. Fix: apt-get install -y busybox-static"
fi

NGINX_CONF='daemon off;
worker_processes 1;
error_log /dev/stderr notice;
pid /run/nginx.pid;
events { worker_connections 256; }
http {
  access_log off;
  server {
    listen 80;
    listen [::]:80;
    location / { default_type text/plain; return 200 "rebind-nginx $hostname\n"; }
    location = /healthz { default_type text/plain; return 200 "ok\n"; }
  }
}'

# hash_of NAME FILES...: a stable hash of the script itself and the files that go in.
hash_of() {
  local name=$1; shift
  { echo "$name"; cat "$0"; sha256sum "$@" | awk '{print $1}'; } | sha256sum | cut -c1-16
}

current_hash() { docker image inspect -f '{{ index .Config.Labels "rebind.image.hash" }}' "$1" 2>/dev/null || true; }

add_busybox() { # add_busybox ROOT
  local root=$1
  mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/proc" "$root/sys" "$root/dev" "$root/www"
  chmod 1777 "$root/tmp"
  cp "$busybox_bin" "$root/bin/busybox"
  for applet in sh ls cat echo sleep httpd nc wget ps kill env true false printf; do
    ln -sf busybox "$root/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\nwww-data:x:33:33:www-data:/var/www:/bin/false\n' > "$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\nwww-data:x:33:\n' > "$root/etc/group"
  echo 'rebind-busybox' > "$root/www/index.html"
}

import() { # import ROOT TAG HASH CHANGES...
  local root=$1 tag=$2 hash=$3; shift 3
  local changes=(--change "LABEL rebind.image=true" --change "LABEL rebind.image.hash=$hash")
  for c in "$@"; do changes+=(--change "$c"); done
  local old; old=$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)
  tar -C "$root" -c . | docker import "${changes[@]}" - "$tag" >/dev/null
  # The stale image we built before is now untagged: remove it (ours, by its label).
  if [ -n "$old" ] && [ "$(docker image inspect -f '{{ index .Config.Labels "rebind.image" }}' "$old" 2>/dev/null)" = true ]; then
    docker rmi "$old" >/dev/null 2>&1 || true
  fi
  echo "build-images: built $tag ($hash)"
}

build_busybox() {
  local tag=rebind/busybox:test hash
  hash=$(hash_of busybox "$busybox_bin")
  if [ "$force" != --force ] && [ "$(current_hash $tag)" = "$hash" ]; then
    echo "build-images: $tag is up to date ($hash)"; return
  fi
  local root; root=$(mktemp -d)
  add_busybox "$root"
  import "$root" "$tag" "$hash" 'CMD ["/bin/httpd", "-f", "-p", "80", "-h", "/www"]' 'EXPOSE 80' 'ENV PATH=/bin'
  rm -rf "$root"
}

build_nginx() {
  local tag=rebind/nginx:test nginx_bin hash
  nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
  [ -x "$nginx_bin" ] || die "nginx is missing. Fix: apt-get install -y nginx"
  mapfile -t libs < <(ldd "$nginx_bin" | awk '/=>/ {print $3} !/=>/ && $1 ~ /^\// {print $1}' | sort -u)
  hash=$(hash_of nginx "$nginx_bin" "$busybox_bin" "${libs[@]}")
  if [ "$force" != --force ] && [ "$(current_hash $tag)" = "$hash" ]; then
    echo "build-images: $tag is up to date ($hash)"; return
  fi
  local root; root=$(mktemp -d)
  add_busybox "$root"
  mkdir -p "$root/usr/sbin" "$root/etc/nginx" "$root/run" "$root/var/log/nginx" \
    "$root/var/lib/nginx" "$root/usr/share/nginx"
  cp "$nginx_bin" "$root/usr/sbin/nginx"
  for lib in "${libs[@]}"; do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
  printf '%s\n' "$NGINX_CONF" > "$root/etc/nginx/nginx.conf"
  import "$root" "$tag" "$hash" 'CMD ["/usr/sbin/nginx"]' 'EXPOSE 80' 'ENV PATH=/usr/sbin:/bin'
  rm -rf "$root"
}

build_busybox
build_nginx

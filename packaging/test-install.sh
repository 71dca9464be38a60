#!/usr/bin/env bash
# Installs a bifrost .deb into a clean Debian 12 root and checks it: packaging/test-install.sh DEB
#   debootstrap (minbase; the tarball is cached in /var/cache/bifrost-test), dpkg -i + apt-get -f from this
#   machine's mirror, the installed 'bifrost check-config', 'bifrost serve' as user bifrost answering on loopback
#   (public /v1, 401 without a user, 200 after 'bifrost user add'), then dpkg -r and dpkg -P leave nothing of ours.
# Needs root. Prints "PASS <seconds>" at the end, or "FAIL: reason" and exits 1.
set -euo pipefail
deb=$(realpath "$1")
[ "$(id -u)" = 0 ] || { echo "FAIL: needs root"; exit 1; }
start=$(date +%s)
step() { echo "== $(($(date +%s) - start))s: $*"; }
fail() { echo "FAIL: $*"; exit 1; }

mirror=$( (cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null || true) \
  | grep -E '^(URIs:|deb )' | grep -oE 'https?://[^ ]+/debian/?' | grep -v security | head -n 1 || true)
[ -n "$mirror" ] || fail "no Debian mirror in /etc/apt/sources.list*"
cache=/var/cache/bifrost-test
tarball=$cache/bookworm-minbase.tgz
root=$(mktemp -d /tmp/bifrost-chroot.XXXXXX)
chmod 0755 "$root"   # mktemp makes it 0700: the service user could not reach anything inside
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  for m in proc sys dev/pts dev; do umount -l "$root/$m" 2>/dev/null || true; done
  rm -rf --one-file-system "$root"
  rm -f "$root.before" "$root.after" "$root.owned" "$root.serve.log"
}
trap cleanup EXIT

mkdir -p "$cache"
if [ ! -s "$tarball" ]; then
  step "debootstrap tarball from $mirror (cached in $tarball for the next run)"
  debootstrap --variant=minbase --include=adduser,ca-certificates --make-tarball="$tarball.part" bookworm \
    "$root.tb" "$mirror" >/dev/null
  rm -rf "$root.tb"; mv "$tarball.part" "$tarball"
fi
# The second stage of debootstrap (configuring ~90 packages) takes minutes on a loaded 2-core machine; its result
# is cached as a plain tar, which unpacks in seconds.
rootcache=$cache/bookworm-minbase-root.tar
if [ ! -s "$rootcache" ]; then
  step "debootstrap bookworm (minbase) from the cached tarball"
  debootstrap --variant=minbase --include=adduser,ca-certificates --unpack-tarball="$tarball" bookworm "$root" "$mirror" \
    >/dev/null || fail "debootstrap"
  tar -C "$root" --one-file-system -cf "$rootcache.part" . && mv "$rootcache.part" "$rootcache"
else
  step "clean Debian 12 root from $rootcache"
  tar -C "$root" -xpf "$rootcache" || fail "unpacking $rootcache"
fi
mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
cp /etc/resolv.conf "$root/etc/resolv.conf"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }

# What the clean system holds, before our package (apt/dpkg bookkeeping and logs excluded).
list_files() {
  (cd "$root" && find . -xdev \( -path ./proc -o -path ./sys -o -path ./dev -o -path ./tmp -o -path ./run \
     -o -path ./var/cache -o -path ./var/lib/apt -o -path ./var/lib/dpkg -o -path ./var/log \) -prune -o -print | sort)
}
list_files > "$root.before"

step "dpkg -i $(basename "$deb") + apt-get install -f"
cp "$deb" "$root/tmp/bifrost.deb"
in_root dpkg -i /tmp/bifrost.deb >/dev/null 2>&1 || true   # fails on missing dependencies: apt-get -f brings them
in_root apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive in_root apt-get install -f -y -qq --no-install-recommends >/dev/null || fail "apt-get install -f"
in_root dpkg-query -W -f '${Status}' bifrost | grep -q 'install ok installed' || fail "bifrost is not installed"

step "installed files and modes"
getent() { in_root getent "$@"; }
getent passwd bifrost >/dev/null || fail "no user bifrost"
[ "$(in_root stat -c '%a %U' "/var/lib/bifrost")" = "750 bifrost" ] || fail "/var/lib/bifrost is $(in_root stat -c '%a %U' "/var/lib/bifrost")"
[ "$(in_root stat -c '%a %U' "/var/lib/bifrost/bifrost.db")" = "600 bifrost" ] || fail "bifrost.db is $(in_root stat -c '%a %U' "/var/lib/bifrost/bifrost.db")"
[ -L "$root/usr/bin/bifrost" ] || fail "/usr/bin/bifrost is not a symlink"
grep -q '/etc/bifrost/appsettings.json' "$root/var/lib/dpkg/info/bifrost.conffiles" || fail "appsettings.json is not a conffile"

step "bifrost check-config"
out=$(in_root bifrost check-config) || fail "check-config: $out"
echo "$out" | grep -q '^configuration OK' || fail "check-config: $out"
echo "$out" | grep -q 'Bifrost:StateDir   = /var/lib/bifrost' || fail "check-config: StateDir: $out"

step "bifrost serve as user bifrost"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
chroot --userspec=bifrost:bifrost "$root" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/var/lib/bifrost \
  Bifrost__Api__Listen=127.0.0.1:$port /usr/lib/bifrost/bifrost serve --config /etc/bifrost/appsettings.json \
  > "$root.serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/v1" 2>/dev/null && break
  kill -0 "$pid" 2>/dev/null || fail "bifrost serve exited: $(cat "$root.serve.log")"
  sleep 0.2
done
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v1") 
[ "$code" = 200 ] || fail "GET /v1 → $code: $(cat "$root.serve.log")"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v1/nodes")
[ "$code" = 401 ] || fail "GET /v1/nodes without a user → $code (http_basic is the installed default)"
echo 'pkg-test-Pa55' | in_root bifrost user add ops --password-stdin >/dev/null || fail "bifrost user add"
[ "$(in_root stat -c '%a %U' "/var/lib/bifrost/users")" = "600 bifrost" ] || fail "users file is $(in_root stat -c '%a %U' "/var/lib/bifrost/users")"
code=$(curl -s -o /dev/null -w '%{http_code}' -u ops:pkg-test-Pa55 -H 'X-OpenStack-Ironic-API-Version: 1.78' "http://127.0.0.1:$port/v1/nodes")
[ "$code" = 200 ] || fail "GET /v1/nodes as ops → $code: $(cat "$root.serve.log")"
kill -TERM "$pid"; wait "$pid" || fail "bifrost serve did not exit cleanly on SIGTERM"
pid=""

step "dpkg -r"
in_root dpkg -r bifrost >/dev/null || fail "dpkg -r"
[ ! -e "$root/usr/lib/bifrost" ] && [ ! -e "$root/usr/bin/bifrost" ] || fail "dpkg -r left the program"
[ -e "$root/etc/bifrost/appsettings.json" ] || fail "dpkg -r removed the configuration (only purge may)"
[ -e "$root/var/lib/bifrost/bifrost.db" ] || fail "dpkg -r removed the state (only purge may)"
getent passwd bifrost >/dev/null || fail "dpkg -r removed the user (only purge may)"

step "dpkg -P"
in_root dpkg -P bifrost >/dev/null || fail "dpkg -P"
getent passwd bifrost >/dev/null && fail "the user bifrost survived purge"
getent group bifrost >/dev/null && fail "the group bifrost survived purge"
list_files > "$root.after"
# New paths that no installed package owns (the dependencies apt-get -f brought are owned by their packages).
in_root sh -c 'dpkg-query -W -f "\${Package}\n" | xargs dpkg-query -L' | sed 's#^#.#' | sort -u > "$root.owned"
leftovers=$(comm -13 "$root.before" "$root.after" | comm -23 - "$root.owned" \
  | grep -v -x -E '\./etc/ld\.so\.cache|\./etc/(passwd|group|shadow|gshadow|subuid|subgid)-' || true)
# (ld.so.cache comes from the libraries' triggers; the '-' files are the shadow tools' backups of the account files.)
[ -z "$leftovers" ] || fail "left behind after purge: $leftovers"
ours=$(grep -i bifrost "$root.after" || true)
[ -z "$ours" ] || fail "paths named bifrost after purge: $ours"
rm -f "$root.before" "$root.after" "$root.owned" "$root.serve.log"
echo "PASS $(($(date +%s) - start))"

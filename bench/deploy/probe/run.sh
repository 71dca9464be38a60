#!/usr/bin/env bash
# bench/deploy/probe/run.sh DIR MIB [CPU_MODEL] [TESTS]: boots the deploy kernel of the lab in DIR (packaging/lab/lab.sh
# --dir DIR up --nodes 1 …, node-1 powered off) on node-1's tap and disk with probe-agent.sh in place of the agent,
# and prints its PROBE lines. The measurements behind bench/RESULTS.md's "Deploy on the virtual rack" table of the
# image path. Extra Debian packages (coreutils, nettle-bin, openssl, dcfldd) are fetched with apt-get download into
# PROBE_CACHE (default /var/cache/bifrost-bench/probe); nothing is installed. TESTS: comma-separated names.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=$1; mib=$2; cpu=${3:-}; only=${4:-}
cache=${PROBE_CACHE:-/var/cache/bifrost-bench/probe}
# shellcheck disable=SC1091
. "$dir/lab.env"
# shellcheck disable=SC1091
. "$dir/nodes/node-1/node.env"
mkdir -p "$cache" "$dir/state/images"
img="$dir/state/images/probe-$mib.img"
[ -s "$img" ] || head -c $((mib * 1048576)) /dev/urandom > "$img"
work=$(mktemp -d /tmp/bifrost-probe.XXXXXX)
trap 'rm -rf "$work"' EXIT
(cd "$cache" && for p in coreutils nettle-bin libnettle8 openssl libssl3 dcfldd; do
   ls "${p}"_*.deb > /dev/null 2>&1 || apt-get download -q "$p" > /dev/null 2>&1 || { echo "cannot download $p" >&2; exit 1; }
 done)
for deb in "$cache"/*.deb; do dpkg -x "$deb" "$work/x"; done
r=$work/root x=$work/x lib=lib/x86_64-linux-gnu
install -D -m 0755 "$here/probe-agent.sh" "$r/usr/lib/bifrost-agent/agent.sh"
install -D -m 0755 "$here/get-raw" "$r/usr/local/bin/get-raw"
install -D -m 0755 "$x/usr/bin/nettle-hash" "$r/usr/local/bin/nettle-hash"
install -D -m 0755 "$x/usr/bin/dcfldd" "$r/usr/local/bin/dcfldd"
install -D -m 0755 "$x/usr/bin/openssl" "$r/usr/local/bin/openssl"
install -D -m 0755 "$x/usr/bin/tee" "$r/usr/local/bin/gtee"
install -D -m 0755 "$x/bin/dd" "$r/usr/local/bin/gdd"
install -D -m 0755 "$x/usr/bin/sha256sum" "$r/usr/local/bin/gsha256sum"
for l in libnettle.so.8 libssl.so.3 libcrypto.so.3; do install -D -m 0644 "$(readlink -f "$x/usr/$lib/$l")" "$r/$lib/$l"; done
(cd "$r" && find . -mindepth 1 | sort | cpio --quiet -o -H newc -R 0:0) | gzip -1 -n > "$work/probe.cpio.gz"
cat "$dir/state/ramdisk/bifrost-agent.initramfs" "$work/probe.cpio.gz" > "$work/initramfs"
console="$work/console"
cpuargs=(); [ -n "$cpu" ] && cpuargs=(-cpu "$cpu")
"$here/../../../packaging/lab/lab.sh" --dir "$dir" exec qemu-system-x86_64 -machine q35,accel=tcg "${cpuargs[@]}" \
  -smp "$CPUS" -m "$MEMORY_MB" -nographic -monitor none -no-reboot -serial "file:$console" \
  -drive "file=$DISK,format=raw,if=none,id=d0" -device virtio-blk-pci,drive=d0 \
  -netdev "tap,id=n0,ifname=$TAP,script=no,downscript=no" -device "virtio-net-pci,netdev=n0,mac=$MAC" \
  -kernel "$dir/state/ramdisk/bifrost-agent.kernel" -initrd "$work/initramfs" \
  -append "console=ttyS0 no_timer_check bench.url=http://$PREFIX.1:8080/images/probe-$mib.img bench.mib=$mib bench.disk=/dev/vda probe.only=$only" \
  > "$work/qemu.out" 2>&1 || true
grep -a '^PROBE' "$console" | tr -d '\r'

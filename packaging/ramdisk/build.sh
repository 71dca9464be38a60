#!/usr/bin/env bash
# Builds Bifrost's deploy ramdisk from Debian packages only:
#   packaging/ramdisk/build.sh [--output DIR] [--cache DIR]
#   → DIR/bifrost-agent.kernel (the Debian kernel, unchanged) and DIR/bifrost-agent.initramfs (gzip'd newc cpio)
# The packages (the kernel linux-image-amd64 currently points at, busybox-static, zstd with the libraries it needs and
# the glibc loader, nettle-hash and GNU tee for the image stream) are fetched with `apt-get download` into the cache dir (reused when the same version is there) and
# unpacked with `dpkg -x`; nothing is installed on the host. Needs apt-get, dpkg, cpio, depmod/modinfo (kmod), gzip,
# readelf (binutils).
# Reproducible: the same packages give the same bytes (fixed owners, modes and mtimes = SOURCE_DATE_EPOCH, default
# the kernel's own mtime; a sorted file list; `cpio --reproducible`; `gzip -n`).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
output=
cache=${BIFROST_RAMDISK_CACHE:-/var/cache/bifrost/ramdisk}
while [ $# -gt 0 ]; do
  case "$1" in
    --output) output=$2; shift ;;
    --cache) cache=$2; shift ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
[ -n "$output" ] || { echo "build.sh: --output DIR is required" >&2; exit 2; }
for tool in apt-get apt-cache dpkg cpio depmod modinfo gzip readelf; do
  command -v "$tool" >/dev/null || { echo "build.sh: $tool is not installed" >&2; exit 1; }
done
mkdir -p "$output" "$cache"
output=$(cd "$output" && pwd)
cache=$(cd "$cache" && pwd)
work=$(mktemp -d /tmp/bifrost-ramdisk.XXXXXX)
trap 'rm -rf "$work"' EXIT
export LC_ALL=C

# The modules a rack needs (NICs, disk controllers, the config drive's filesystem); their dependencies are added.
# The NIC drivers are also listed on their own: /init loads them before it starts the agent, the rest in the background.
net_modules="virtio_pci virtio_net e1000 e1000e igb ixgbe"
modules="$net_modules virtio_blk virtio_scsi ahci nvme sd_mod sr_mod
         vfat fat nls_cp437 nls_iso8859_1 nls_utf8 nls_ascii"

# The kernel package linux-image-amd64 depends on now (e.g. linux-image-6.1.0-28-amd64); KERNEL_PACKAGE overrides.
kernel_pkg=${KERNEL_PACKAGE:-$(apt-cache depends linux-image-amd64 2>/dev/null \
  | sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n1)}
[ -n "$kernel_pkg" ] || { echo "build.sh: cannot tell which kernel linux-image-amd64 depends on (apt-get update?)" >&2; exit 1; }

# fetch PKG: the candidate version's .deb in the cache (downloaded only when missing); prints its path.
fetch() {
  local version arch file
  version=$(apt-cache show --no-all-versions "$1" 2>/dev/null | sed -n 's/^Version: //p' | head -n1)
  arch=$(apt-cache show --no-all-versions "$1" 2>/dev/null | sed -n 's/^Architecture: //p' | head -n1)
  [ -n "$version" ] || { echo "build.sh: apt does not know package $1 (apt-get update?)" >&2; return 1; }
  file="${1}_${version//:/%3a}_${arch}.deb"   # the name apt-get download gives it
  if [ ! -s "$cache/$file" ]; then
    (cd "$cache" && apt-get download -q "$1" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2 || true)
    [ -s "$cache/$file" ] || { echo "build.sh: could not download $1 $version" >&2; return 1; }
  fi
  printf '%s\n' "$cache/$file"
}

x="$work/x"          # every package unpacked together
root="$work/root"    # the initramfs tree
mkdir -p "$x" "$root"
# Debian's zstd has libzstd built in; it needs zlib, lzma and lz4 (readelf below finds them). nettle-bin and coreutils
# give the image stream two tools busybox does too slowly (below); only those two files are taken from them.
for pkg in "$kernel_pkg" busybox-static zstd liblzma5 liblz4-1 zlib1g libc6 nettle-bin libnettle8 coreutils; do
  dpkg -x "$(fetch "$pkg")" "$x"
done

kver=$(ls "$x/lib/modules" | head -n1)
vmlinuz="$x/boot/vmlinuz-$kver"
[ -f "$vmlinuz" ] || { echo "build.sh: no kernel in $kernel_pkg" >&2; exit 1; }
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(stat -c %Y "$vmlinuz")}

# Kernel modules with their dependencies (modinfo's `depends`), then modules.dep from the host's depmod over the
# tree, so busybox modprobe loads them in order.
kmods="$x/lib/modules/$kver"
declare -A seen=()
add_module() {
  local name=${1//-/_} file dep
  [ -n "${seen[$name]:-}" ] && return 0
  seen[$name]=1
  file=$(find "$kmods/kernel" -name "${name//_/[_-]}.ko*" | head -n1)   # nls_iso8859-1.ko: - and _ are one
  if [ -z "$file" ]; then
    grep -q "/$name.ko" "$kmods/modules.builtin" 2>/dev/null && return 0
    echo "build.sh: module $name is not in $kernel_pkg" >&2; return 1
  fi
  install -D -m 0644 "$file" "$root/lib/modules/$kver/${file#"$kmods/"}"
  for dep in $(modinfo -F depends "$file" | tr ',' ' '); do add_module "$dep"; done
}
for m in $modules; do add_module "$m"; done
for f in modules.order modules.builtin modules.builtin.modinfo; do
  [ -f "$kmods/$f" ] && install -m 0644 "$kmods/$f" "$root/lib/modules/$kver/$f"
done
depmod -b "$root" "$kver"
# busybox modprobe reads the text files; the binary indexes are not needed.
rm -f "$root/lib/modules/$kver"/*.bin
printf '%s\n' $modules > "$root/etc-modules"
printf '%s\n' $net_modules > "$root/etc-net-modules"

# Userland: busybox-static with a link per applet, zstd with the shared libraries it needs (readelf NEEDED, followed
# recursively) and the glibc loader.
install -D -m 0755 "$x/bin/busybox" "$root/bin/busybox"
for applet in $("$x/bin/busybox" --list-full); do
  [ "$applet" = bin/busybox ] || [ -e "$root/$applet" ] || { mkdir -p "$root/$(dirname "$applet")"; ln -s /bin/busybox "$root/$applet"; }
done
rm -f "$root/bin/sh"; ln -s busybox "$root/bin/sh"
libdir=lib/x86_64-linux-gnu
install -D -m 0755 "$x/usr/bin/zstd" "$root/usr/bin/zstd"
copy_needed() {
  local lib
  for lib in $(readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
    [ -e "$root/$libdir/$lib" ] && continue
    local src
    src=$(ls "$x/$libdir/$lib" "$x/usr/$libdir/$lib" 2>/dev/null | head -n1 || true)
    [ -n "$src" ] || { echo "build.sh: $lib (needed by $1) is in none of the packages" >&2; return 1; }
    install -D -m 0755 "$(readlink -f "$src")" "$root/$libdir/$lib"
    copy_needed "$root/$libdir/$lib"
  done
}
copy_needed "$root/usr/bin/zstd"
# The image stream's tools (agent/commands.sh), measured in the VM under TCG (bench/RESULTS.md): nettle-hash (libnettle's
# SHA-256 uses the CPU's SHA extensions when the CPU has them, busybox's is plain C) and GNU tee (8 KiB per read and
# write; busybox tee moves 1 KiB per system call). Out of PATH, so busybox stays the shell's tee.
install -D -m 0755 "$x/usr/bin/nettle-hash" "$root/usr/lib/bifrost-agent/bin/nettle-hash"
install -D -m 0755 "$x/usr/bin/tee" "$root/usr/lib/bifrost-agent/bin/tee"
copy_needed "$root/usr/lib/bifrost-agent/bin/nettle-hash"
copy_needed "$root/usr/lib/bifrost-agent/bin/tee"
install -D -m 0755 "$(readlink -f "$x/$libdir/ld-linux-x86-64.so.2")" "$root/$libdir/ld-linux-x86-64.so.2"
mkdir -p "$root/lib64"; ln -s "../$libdir/ld-linux-x86-64.so.2" "$root/lib64/ld-linux-x86-64.so.2"

# The agent.
install -m 0755 "$here/init" "$root/init"
for f in lib.sh http.sh commands.sh; do install -D -m 0644 "$here/agent/$f" "$root/usr/lib/bifrost-agent/$f"; done
install -m 0755 "$here/agent/agent.sh" "$here/agent/udhcpc.script" "$root/usr/lib/bifrost-agent/"
mkdir -p "$root/etc" "$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/run" "$root/mnt" "$root/var/log" "$root/root"
mv "$root/etc-modules" "$root/etc/bifrost-modules"
mv "$root/etc-net-modules" "$root/etc/bifrost-net-modules"
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$root/etc/passwd"
printf 'root:x:0:\n' > "$root/etc/group"

# Reproducible archive: normalised modes, one mtime, sorted names, owner root.
find "$root" -type d -exec chmod 0755 {} +
find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
(cd "$root" && find . -mindepth 1 | sort | cpio --quiet --reproducible -o -H newc -R 0:0) \
  | gzip -9 -n > "$work/initramfs"
install -m 0644 "$vmlinuz" "$output/bifrost-agent.kernel.new"
install -m 0644 "$work/initramfs" "$output/bifrost-agent.initramfs.new"
mv -f "$output/bifrost-agent.kernel.new" "$output/bifrost-agent.kernel"
mv -f "$output/bifrost-agent.initramfs.new" "$output/bifrost-agent.initramfs"
size=$(du -cb "$output/bifrost-agent.kernel" "$output/bifrost-agent.initramfs" | tail -n1 | cut -f1)
echo "bifrost-agent ramdisk: kernel $kver ($kernel_pkg), $(( size / 1048576 )) MiB total, in $output"

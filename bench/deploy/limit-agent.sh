#!/bin/sh
# The physical limits of a lab VM, measured by the deploy ramdisk itself: bench/deploy/run.sh boots the same kernel
# and initramfs with this file appended in a second cpio archive, where it replaces the agent that /init runs. With
# the agent's own image client (http_stream: busybox nc hands the connected socket to the reader, no relay) it
# downloads the image and discards it (cat, 64 KiB reads straight off the socket: the fastest reader the ramdisk has),
# then writes as many MiB of zeros to the disk (dd, fsync), prints one BENCH line on the console and powers off.
here=/usr/lib/bifrost-agent
AGENT_STATE=/tmp/bench; HTTP_DIR=$AGENT_STATE; AGENT_VERSION=bifrost-bench/1
mkdir -p "$AGENT_STATE"
log() { :; }
. "$here/http.sh"
arg() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
now() { cut -d' ' -f1 /proc/uptime; }
url=$(arg bench.url); mib=$(arg bench.mib); disk=$(arg bench.disk)
nic=$(ls /sys/class/net | grep -v '^lo$' | head -n1)
ip link set lo up; ip link set "$nic" up
i=0; while [ "$(cat "/sys/class/net/$nic/carrier" 2>/dev/null)" != 1 ] && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
udhcpc -i "$nic" -f -q -n -t 10 -T 2 -s "$here/udhcpc.script" > /dev/null 2>&1
t_net=$(now)
echo "BENCH-NET up at ${t_net}s of kernel uptime"
# /init loads the disk drivers in the background while the network comes up: measure nothing while it still runs.
i=0; while [ -e /run/bifrost-modules.loading ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
t0=$(now); http_stream "$url" 'cat'; status=$(http_status); t1=$(now)
dd if=/dev/zero of="$disk" bs=1M count="$mib" conv=fsync 2>/dev/null; t2=$(now)
# Not part of the limit, reported next to it: the same download hashed by the agent's sha256 hasher (no disk), the
# floor of any deploy that verifies what it received. Under TCG the hash, not the network, is the slow part.
hasher=sha256sum; [ -x "$here/bin/nettle-hash" ] && hasher="$here/bin/nettle-hash -a sha256"
http_stream "$url" "$hasher"; t3=$(now)
echo "BENCH status=$status net_s=$t_net transfer_s=$(awk "BEGIN{print $t1-$t0}") write_s=$(awk "BEGIN{print $t2-$t1}") hash_s=$(awk "BEGIN{print $t3-$t2}") end"
sync
poweroff -f

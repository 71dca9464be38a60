#!/bin/sh
# The image path's stages measured inside a lab VM (bench/deploy/probe/run.sh appends this as the agent, as the limit
# probe does): pipe hops, tees, hashers, the network read through busybox nc's relay and straight off the socket, the
# disk, and whole pipelines. Prints "PROBE name rc=… seconds MiB/s" lines on the console. Kernel arguments:
# bench.url (an image of bench.mib MiB), bench.disk (written to!), probe.only=a,b,c (default: every test).
# Extra tools in /usr/local/bin: gtee and gsha256sum (coreutils), nettle-hash, openssl, dcfldd.
here=/usr/lib/bifrost-agent
AGENT_STATE=/tmp/bench; HTTP_DIR=$AGENT_STATE; AGENT_VERSION=bifrost-bench/1
mkdir -p "$AGENT_STATE"
log() { :; }
. "$here/http.sh"
export PATH=/usr/local/bin:$PATH
arg() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
now() { cut -d' ' -f1 /proc/uptime; }
url=$(arg bench.url); mib=$(arg bench.mib); disk=$(arg bench.disk); only=$(arg probe.only | tr , " ")
nic=$(ls /sys/class/net | grep -v '^lo$' | head -n1)
ip link set lo up; ip link set "$nic" up
i=0; while [ "$(cat "/sys/class/net/$nic/carrier" 2>/dev/null)" != 1 ] && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
udhcpc -i "$nic" -f -q -n -t 10 -T 2 -s "$here/udhcpc.script" > /dev/null 2>&1
echo "PROBE net up at $(now)"
echo "PROBE cpus=$(grep -c ^processor /proc/cpuinfo) flags: $(grep -m1 ^flags /proc/cpuinfo | tr ' ' '\n' | grep -E '^(ssse3|sse4_2|avx|avx2|sha_ni|erms|fsrm|bmi2)$' | tr '\n' ' ')"
echo "PROBE model: $(grep -m1 'model name' /proc/cpuinfo)"
http_parse_url "$url"
export url_host url_port url_path
t() {
  name=$1; shift
  case " $only " in "  ") ;; *" $name "*) ;; *) return ;; esac
  rm -f /tmp/h; a=$(now); sh -c "$*" > /tmp/out 2>/tmp/err; rc=$?; b=$(now)
  echo "PROBE $name rc=$rc $(awk "BEGIN{d=$b-$a; printf \"%.1f s %.1f MiB/s\", d, $mib/d}") | $(head -c 70 /tmp/out | tr '\n' ' ') $(head -c 70 /tmp/h 2>/dev/null | tr '\n' ' ') $(tail -n1 /tmp/err | head -c 100)"
}
export disk mib url
t zero_null "dd if=/dev/zero of=/dev/null bs=1M count=$mib"
t zero_cat "dd if=/dev/zero bs=1M count=$mib | cat > /dev/null"
t zero_2cat "dd if=/dev/zero bs=1M count=$mib | cat | cat > /dev/null"
t zero_bbtee "dd if=/dev/zero bs=1M count=$mib | tee /dev/null > /dev/null"
t zero_gtee "dd if=/dev/zero bs=1M count=$mib | gtee /dev/null > /dev/null"
t bb_sha256 "dd if=/dev/zero bs=1M count=$mib | sha256sum"
t bb_md5 "dd if=/dev/zero bs=1M count=$mib | md5sum"
t gnu_sha256 "dd if=/dev/zero bs=1M count=$mib | gsha256sum"
t nettle_sha256 "dd if=/dev/zero bs=1M count=$mib | nettle-hash -a sha256"
t openssl_sha256 "dd if=/dev/zero bs=1M count=$mib | openssl dgst -sha256"
t dcfldd_sha256 "dd if=/dev/zero bs=1M count=$mib | dcfldd bs=1M hash=sha256 of=/dev/null"
t net_old_limit ". $here/http.sh; http_request GET \$url /dev/null"
t net_direct_dd "get-raw 'dd of=/dev/null bs=1M'"
t net_direct_cat "get-raw 'cat'"
t net_direct_bbsha "get-raw 'sha256sum > /tmp/h'"
t net_direct_nettle "get-raw 'nettle-hash -a sha256 > /tmp/h'"
t net_direct_openssl "get-raw 'openssl dgst -sha256 > /tmp/h'"
t disk_zero "dd if=/dev/zero of=$disk bs=1M count=$mib conv=fsync"
t net_disk_bbdd "get-raw 'dd of=$disk bs=1M conv=fsync'"
t net_bbtee_disk_nettle "get-raw 'tee $disk | nettle-hash -a sha256 > /tmp/h; sync'"
t net_gtee_disk_nettle "get-raw 'gtee $disk | nettle-hash -a sha256 > /tmp/h; sync'"
t net_gtee_disk_openssl "get-raw 'gtee $disk | openssl dgst -sha256 > /tmp/h; sync'"
t net_dcfldd_disk_hash "get-raw 'dcfldd bs=1M hash=sha256 hashlog=/tmp/h of=$disk; sync'"
t net_dcfldd_fifo_nettle "rm -f /tmp/f; mkfifo /tmp/f; nettle-hash -a sha256 < /tmp/f > /tmp/h & get-raw 'dcfldd bs=1M of=$disk of=/tmp/f; sync'; wait"
t net_gtee_fifo_nettle_gdd "rm -f /tmp/f; mkfifo /tmp/f; nettle-hash -a sha256 < /tmp/f > /tmp/h & get-raw 'gtee /tmp/f | dd of=$disk bs=1M; sync'; wait"
t net_gtee_disk_bbsha "get-raw 'gtee $disk | sha256sum > /tmp/h; sync'"
for r in 1 2; do
t net_direct_nettle_$r "get-raw 'nettle-hash -a sha256 > /tmp/h'"
t net_direct_bbsha_$r "get-raw 'sha256sum > /tmp/h'"
t net_gtee_disk_nettle_$r "get-raw 'gtee $disk | nettle-hash -a sha256 > /tmp/h; sync'"
t net_gtee_disk_bbsha_$r "get-raw 'gtee $disk | sha256sum > /tmp/h; sync'"
t net_dcfldd_disk_hash_$r "get-raw 'dcfldd bs=1M hash=sha256 hashlog=/tmp/h of=$disk; sync'"
t net_dcfldd_fifo_nettle_$r "rm -f /tmp/f; mkfifo /tmp/f; nettle-hash -a sha256 < /tmp/f > /tmp/h & get-raw 'dcfldd bs=1M of=$disk of=/tmp/f; sync'; wait"
t net_direct_cat_$r "get-raw 'cat'"
t net_direct_openssl_$r "get-raw 'openssl dgst -sha256 > /tmp/h'"
t net_gtee_disk_openssl_$r "get-raw 'gtee $disk | openssl dgst -sha256 > /tmp/h; sync'"
t zero_openssl_$r "dd if=/dev/zero bs=1M count=$mib | openssl dgst -sha256"
t zero_nettle_$r "dd if=/dev/zero bs=1M count=$mib | nettle-hash -a sha256"
done
# The raw path with and without ~20 process spawns a second beside it (what the agent's progress and heartbeat
# loops cost while an image streams).
for r in 1 2; do
t spawn_quiet_$r "get-raw 'gtee $disk | nettle-hash -a sha256 > /tmp/h; sync'"
t spawn_busy_$r "(while [ ! -e /tmp/stop ]; do cat /proc/uptime > /dev/null; sleep 0.1; done) & rm -f /tmp/stop; get-raw 'gtee $disk | nettle-hash -a sha256 > /tmp/h; sync'; : > /tmp/stop; wait"
done
# The raw path at sizes beyond the VM's memory: page-cache writeback throttles tee (dirty limits lowered, or O_DIRECT
# writes by GNU dd after the tee).
t direct_gdd "rm -f /tmp/f; mkfifo /tmp/f; nettle-hash -a sha256 < /tmp/f > /tmp/h & get-raw 'gtee /tmp/f | gdd of=$disk bs=1M iflag=fullblock oflag=direct status=none'; wait"
t dirty_low "echo 8388608 > /proc/sys/vm/dirty_background_bytes; echo 33554432 > /proc/sys/vm/dirty_bytes; get-raw 'gtee $disk | nettle-hash -a sha256 > /tmp/h; sync'"
for r in 1 2; do
t dirty_default_$r "echo 10 > /proc/sys/vm/dirty_background_ratio; echo 20 > /proc/sys/vm/dirty_ratio; get-raw 'gtee $disk | nettle-hash -a sha256 > /tmp/h; sync'"
t dirty_low_$r "echo 8388608 > /proc/sys/vm/dirty_background_bytes; echo 33554432 > /proc/sys/vm/dirty_bytes; get-raw 'gtee $disk | nettle-hash -a sha256 > /tmp/h; sync'"
done
echo "PROBE done"
sync
poweroff -f

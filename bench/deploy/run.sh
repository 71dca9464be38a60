#!/usr/bin/env bash
# bench/deploy: one deploy of a 1 GiB raw image to a virtual-rack VM (packaging/lab/lab.sh, TCG), from `deploy` to
# `active`, broken down from the node's history (boot to agent, hand-off, image transfer + write, reboot), next to
# the physical limit measured in the same run on the same VM (same QEMU settings, tap and disk file): its boot time
# (QEMU start → network up in the deploy ramdisk, direct kernel boot), a raw HTTP transfer of the image from Bifrost's
# boot server into the VM (the agent's own image client, read off the socket and discarded) and the VM's disk write
# throughput (dd, fsync); next to it, not part of it, the same download hashed with the agent's sha256 hasher.
# Target: deploy ≤ 1.3 × (boot + transfer + write).
#   bench/deploy/run.sh            (root; IMAGE_MIB=1024, BENCH_DIR=/var/tmp/bifrost-bench-deploy, RAMDISK=DIR,
#                                   BIFROST="dotnet …/bifrost.dll"; PROBE_ONLY=1 measures the limit in a lab left up;
#                                   KEEP=DIR copies the node's serial log, power log, history and Bifrost's log there)
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=${BENCH_DIR:-/var/tmp/bifrost-bench-deploy}
mib=${IMAGE_MIB:-1024}
lab() { packaging/lab/lab.sh --dir "$dir" "$@"; }
say() { echo "bench/deploy: $*" >&2; }

if [ "${PROBE_ONLY:-0}" != 1 ]; then
lab down > /dev/null 2>&1 || true
up=(up --nodes 1 --no-enroll --set Agent:HeartbeatInterval=2 --set Conductor:CheckProvisionStateInterval=5)
[ -n "${RAMDISK:-}" ] && up+=(--ramdisk "$RAMDISK")
[ -n "${BIFROST:-}" ] && up+=(--bifrost "$BIFROST")
lab "${up[@]}" > /dev/null
trap 'lab down > /dev/null 2>&1 || true' EXIT
# shellcheck disable=SC1091
. "$dir/lab.env"
# shellcheck disable=SC1091
. "$dir/nodes/node-1/node.env"

uuid=$(lab baremetal node create --driver ipmi --name bench --driver-info "ipmi_address=$BMC_ADDRESS" \
  --driver-info "ipmi_port=$BMC_PORT" --driver-info "ipmi_username=$BMC_USER" --driver-info "ipmi_password=$BMC_PASSWORD" \
  --property capabilities=boot_mode:bios --no-automated-clean -f value -c uuid)
lab baremetal port create "$MAC" --node "$uuid" > /dev/null
lab baremetal node manage bench --wait 120
lab baremetal node provide bench --wait 120

image="$dir/state/images/bench.img"
mkdir -p "$(dirname "$image")"
lab marker-image "$uuid" "$image" "$mib"
# Random bytes after the boot sector's MiB: nothing sparse, nothing a transport could shrink.
head -c $(( (mib - 1) * 1048576 )) /dev/urandom | dd of="$image" bs=1M seek=1 conv=notrunc status=none
sum=$(sha256sum "$image" | cut -d' ' -f1)
lab baremetal node set bench --instance-info image_source=bench.img --instance-info "image_checksum=$sum"

say "deploying a $mib MiB raw image (load: $(cut -d' ' -f1-3 /proc/loadavg))"
wall0=$(date +%s.%N)
lab baremetal node deploy bench --wait 3600
wall1=$(date +%s.%N)
lab baremetal node history list bench --long -f json > "$dir/history.json"
grep -q "BIFROST-MARKER $uuid" "$SERIAL" || sleep 60
marker=$(grep -ac "BIFROST-MARKER $uuid" "$SERIAL" || true)

else
  # PROBE_ONLY=1: the lab, the deployed node and $dir/history.json of an earlier run that stopped before its probe.
  trap 'lab down > /dev/null 2>&1 || true' EXIT
  # shellcheck disable=SC1091
  . "$dir/lab.env"
  # shellcheck disable=SC1091
  . "$dir/nodes/node-1/node.env"
  wall0=0; wall1=0; uuid=$(lab baremetal node show bench -f value -c uuid)
  marker=$(grep -ac "BIFROST-MARKER $uuid" "$SERIAL" || true)
fi

# The limit, same VM: off under maintenance (no power sync fights us), then the deploy kernel with the limit probe.
lab baremetal node maintenance set bench --reason bench
lab baremetal node power off bench --power-timeout 60 > /dev/null 2>&1 || lab power node-1 off
i=0; while [ -e "$dir/nodes/node-1/qemu.pid" ] && [ $i -lt 60 ]; do sleep 1; i=$((i + 1)); done
overlay=$(mktemp -d /tmp/bifrost-bench-overlay.XXXXXX)
install -D -m 0755 bench/deploy/limit-agent.sh "$overlay/root/usr/lib/bifrost-agent/agent.sh"
# A second (gzip'd) archive after the first: the kernel unpacks both, later files replacing earlier ones. An
# uncompressed one would have to start 4-byte aligned ("invalid magic at start of compressed archive").
(cd "$overlay/root" && find . -mindepth 1 | sort | cpio --quiet -o -H newc -R 0:0) | gzip -n > "$overlay/overlay.cpio.gz"
cat "$dir/state/ramdisk/bifrost-agent.initramfs" "$overlay/overlay.cpio.gz" > "$overlay/initramfs"
console="$dir/limit.serial"
: > "$console"
t0=$(date +%s.%N)
lab exec qemu-system-x86_64 -machine q35,accel=tcg -smp "$CPUS" -m "$MEMORY_MB" -nographic -monitor none -no-reboot \
  -serial "file:$console" \
  -drive "file=$DISK,format=raw,if=none,id=d0" -device virtio-blk-pci,drive=d0 \
  -netdev "tap,id=n0,ifname=$TAP,script=no,downscript=no" -device "virtio-net-pci,netdev=n0,mac=$MAC" \
  -kernel "$dir/state/ramdisk/bifrost-agent.kernel" -initrd "$overlay/initramfs" \
  -append "console=ttyS0 no_timer_check bench.url=http://$PREFIX.1:8080/images/bench.img bench.mib=$mib bench.disk=/dev/vda" \
  > "$dir/limit.qemu.out" 2>&1 &
qemu=$!
boot=
while kill -0 $qemu 2>/dev/null; do
  if [ -z "$boot" ] && grep -aq "BENCH-NET up" "$console"; then boot=$(awk "BEGIN{print $(date +%s.%N)-$t0}"); fi
  sleep 0.2
done
rm -rf "$overlay"
if [ -n "${KEEP:-}" ]; then
  mkdir -p "$KEEP"
  cp "$SERIAL" "$dir/nodes/node-1/power.log" "$dir/history.json" "$console" "$dir/bifrost.log" "$KEEP/" 2>/dev/null || true
fi
line=$(grep -a "^BENCH status" "$console" | tr -d '\r' || true)
[ -n "$line" ] || { say "the limit probe printed nothing:"; tail -n 30 "$console" >&2; exit 1; }

python3 - "$dir/history.json" "$wall0" "$wall1" "$mib" "$boot" "$line" "$marker" <<'PY'
import json, re, sys
from datetime import datetime
hist, wall0, wall1, mib, boot, line, marker = sys.argv[1:8]
events = json.load(open(hist))
def t(e): return datetime.fromisoformat(e["Created At"].replace("Z", "+00:00")).timestamp()
def kind(e): return e.get("Event Origin Type") or ""
def text(e): return e.get("Description of the event") or ""
starts = [e for e in events if kind(e) == "provisioning" and re.search(r"→ deploying .* on deploy$", text(e))]
start = t(starts[-1])
def first(pred):
    m = [t(e) for e in events if t(e) >= start and pred(e)]
    return m[0] if m else float("nan")
lookup = first(lambda e: "agent lookup" in text(e))
issued = first(lambda e: "write_image" in text(e) and "issued" in text(e))
written = first(lambda e: "image written" in text(e))
active = first(lambda e: kind(e) == "provisioning" and "→ active" in text(e))
f = dict(re.findall(r"(\w+)=([\d.]+)", line))
transfer, write, boot = float(f["transfer_s"]), float(f["write_s"]), float(boot)
limit = boot + transfer + write
total = active - start
rows = [
    ("boot to agent (deploy → lookup)", lookup - start),
    ("hand-off (lookup → write_image issued)", issued - lookup),
    ("image transfer + write, streamed (issued → written)", written - issued),
    ("reboot (written → active)", active - written),
]
wall = f"{float(wall1) - float(wall0):.1f} s" if float(wall0) > 0 else "n/a (PROBE_ONLY)"
print(f"deploy of a {mib} MiB raw image, deploy → active: {total:.1f} s (baremetal --wait wall clock {wall})")
for name, s in rows: print(f"  {name:55s} {s:7.1f} s")
print(f"physical limit, same VM, same run: {limit:.1f} s")
print(f"  {'boot (QEMU start → network up in the ramdisk)':55s} {boot:7.1f} s")
print(f"  {'raw HTTP transfer of the image into the VM':55s} {transfer:7.1f} s  ({int(mib) / transfer:.1f} MiB/s)")
print(f"  {'disk write, dd of zeros + fsync':55s} {write:7.1f} s  ({int(mib) / write:.1f} MiB/s)")
if "hash_s" in f:
    h = float(f["hash_s"])
    print(f"not in the limit: the image hashed while received (sha256, the agent's hasher, no disk) {h:.1f} s "
          f"({int(mib) / h:.1f} MiB/s): the floor of the streamed phase; boot + it = {boot + h:.1f} s")
print(f"ratio deploy / limit: {total / limit:.2f} (target ≤ 1.30: {'met' if total / limit <= 1.3 else 'not met'}); "
      f"with transfer and write overlapped the limit would be {boot + max(transfer, write):.1f} s → {total / (boot + max(transfer, write)):.2f}")
print(f"the deployed disk booted and printed its marker: {'yes' if int(marker or 0) > 0 else 'NO'}")
PY

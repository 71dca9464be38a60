#!/usr/bin/env bash
# qcow2 raw-view benchmark: Bifrost serving /images/.raw/<image> (the qcow2 → raw stream the agent writes) vs
# qemu-img convert -O raw of the same image, same run, alternating.
#
#   bash bench/images/run.sh                      1 GiB virtual (half data, half unallocated), 3 runs each
#   SIZE_MB=256 REPS=5 COMPRESSED=1 bash bench/images/run.sh
#
# qemu-img cannot write to a pipe ("'file' driver requires a regular file"), so its target is a file on tmpfs
# (/dev/shm) with -S 0 (every byte written, as Bifrost sends every byte); Bifrost's view goes over HTTP on loopback
# to curl -o /dev/null. Bifrost therefore also pays for HTTP; qemu-img pays for tmpfs page allocation.
# Env: SIZE_MB (1024) REPS (3) COMPRESSED (empty; 1 = also a qemu-img convert -c image of SIZE_MB/4, compressible data)
#      SKIP_BUILD=1 (use the existing Release build) KEEP=1 (keep the temp dir)
#      RESULTS_FILE (default bench/RESULTS.md; empty = print only)
# Everything runs in a temp dir on 127.0.0.1 and free ports; only the processes started here are stopped.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
SIZE_MB=${SIZE_MB:-1024} REPS=${REPS:-3}
RESULTS_FILE=${RESULTS_FILE-$REPO/bench/RESULTS.md}

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }
command -v qemu-img >/dev/null || die "qemu-img missing (Debian qemu-utils)"
command -v curl >/dev/null || die "curl missing"

WORK=$(mktemp -d /tmp/bifrost-images-bench.XXXXXX)
SHM=$(mktemp -d /dev/shm/bifrost-images-bench.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$SHM"
  [[ -n ${KEEP:-} ]] && log "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

BIN=$REPO/src/Bifrost.Host/bin/Release/net10.0
if [[ -z ${SKIP_BUILD:-} ]]; then
  log "building Bifrost (Release)"
  dotnet build "$REPO/src/Bifrost.Host" -c Release -v q -nologo >/dev/null || die "dotnet build"
fi
[[ -f $BIN/bifrost.dll ]] || die "$BIN/bifrost.dll missing (build first or drop SKIP_BUILD)"

STATE=$WORK/state; mkdir -p "$STATE/images"
log "making a ${SIZE_MB} MiB qcow2 (first half random data, second half unallocated)"
head -c "$((SIZE_MB / 2 * 1024 * 1024))" /dev/urandom > "$WORK/src.raw"
truncate -s "${SIZE_MB}M" "$WORK/src.raw"
qemu-img convert -f raw -O qcow2 "$WORK/src.raw" "$STATE/images/disk.qcow2"
IMAGES=(disk.qcow2)
if [[ -n ${COMPRESSED:-} ]]; then
  # base64 text compresses to about 3/4, so qemu-img really stores compressed clusters (random data it keeps as is).
  log "making a $((SIZE_MB / 4)) MiB compressed qcow2 (qemu-img convert -c of base64 text)"
  head -c "$((SIZE_MB / 4 * 1024 * 1024 / 4 * 3))" /dev/urandom | base64 -w 0 > "$WORK/src-c.raw"
  truncate -s "$((SIZE_MB / 4))M" "$WORK/src-c.raw"
  qemu-img convert -c -f raw -O qcow2 "$WORK/src-c.raw" "$STATE/images/disk-c.qcow2"
  IMAGES+=(disk-c.qcow2)
fi
rm -f "$WORK"/src*.raw

BOOT_PORT=$(free_port) API_PORT=$(free_port)
Bifrost__StateDir=$STATE Bifrost__Api__Listen=127.0.0.1:$API_PORT Bifrost__Boot__Listen=127.0.0.1:$BOOT_PORT \
  Bifrost__Logging__Level=Warning dotnet "$BIN/bifrost.dll" serve > "$WORK/bifrost.log" 2>&1 &
PIDS+=($!)
URL=http://127.0.0.1:$BOOT_PORT/images/.raw
for _ in $(seq 1 150); do curl -sfI -o /dev/null "$URL/disk.qcow2" && break; sleep 0.2; done
curl -sfI -o /dev/null "$URL/disk.qcow2" || die "Bifrost did not answer (see $WORK/bifrost.log)"

ROWS=()
for img in "${IMAGES[@]}"; do
  qemu-img convert -S 0 -f qcow2 -O raw "$STATE/images/$img" "$SHM/ref.raw"
  want=$(sha256sum < "$SHM/ref.raw" | cut -d' ' -f1); rm -f "$SHM/ref.raw"
  got=$(curl -sf "$URL/$img" | sha256sum | cut -d' ' -f1)
  [[ $got == "$want" ]] || die "$img: Bifrost's raw view differs from qemu-img convert"
  virt=$(curl -sfI "$URL/$img" | awk 'tolower($1)=="content-length:" {print $2+0}')
  B="" Q=""
  for i in $(seq 1 "$REPS"); do
    bps=$(curl -sf -o /dev/null -w '%{speed_download}' "$URL/$img")
    t0=$(date +%s.%N)
    qemu-img convert -S 0 -f qcow2 -O raw "$STATE/images/$img" "$SHM/out.raw"
    t1=$(date +%s.%N); rm -f "$SHM/out.raw"
    qps=$(python3 -c "print($virt/($t1-$t0))")
    B+="$bps " Q+="$qps "
    log "$img run $i: Bifrost $(python3 -c "print(f'{$bps/1e6:.0f}')") MB/s, qemu-img $(python3 -c "print(f'{$qps/1e6:.0f}')") MB/s"
  done
  ROWS+=("$img|$virt|$B|$Q")
done

LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
REPORT=$(python3 - "$REPS" "$LOAD" "${ROWS[@]}" <<'PY'
import statistics, sys
reps, load = sys.argv[1:3]
print("| image (virtual size) | Bifrost raw view over HTTP | qemu-img convert -S 0 to tmpfs | Bifrost / qemu-img |")
print("|---|---|---|---|")
for row in sys.argv[3:]:
    name, virt, b, q = row.split("|")
    b, q = list(map(float, b.split())), list(map(float, q.split()))
    mb, mq = statistics.median(b), statistics.median(q)
    print(f"| {name} ({int(virt) // 2**20} MiB) | {mb/1e6:.0f} MB/s (best {max(b)/1e6:.0f}) | {mq/1e6:.0f} MB/s (best {max(q)/1e6:.0f}) | **{mb/mq:.2f}×** |")
print()
print(f"Medians of {reps} alternating runs. Load average at the end: {load} (2 CPUs).")
PY
)
echo "$REPORT"
if [[ -n $RESULTS_FILE ]]; then
  {
    echo
    echo "## qcow2 raw view: Bifrost vs qemu-img convert ($(date -u '+%Y-%m-%d %H:%M UTC'))"
    echo
    echo "\`SIZE_MB=$SIZE_MB REPS=$REPS${COMPRESSED:+ COMPRESSED=1} bash bench/images/run.sh\` — Bifrost (Release) streams"
    echo "\`/images/.raw/<image>\` to \`curl -o /dev/null\` on loopback; qemu-img $(qemu-img --version | head -1 | awk '{print $3}')"
    echo "converts the same file with \`-S 0\` into tmpfs (it cannot write to a pipe). Both outputs were checked equal (sha256)."
    echo
    echo "$REPORT"
  } >> "$RESULTS_FILE"
  log "appended to $RESULTS_FILE"
fi

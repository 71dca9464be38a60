#!/usr/bin/env bash
# HTTP boot streaming benchmark: Bifrost's boot server vs nginx (Debian nginx-light/nginx), same file, same run,
# over loopback. Big file: curl -o /dev/null, REPS times each, alternating; small file: wrk.
#
#   bash bench/http/run.sh                         256 MiB image, 5 downloads each, 15 s wrk; appends to RESULTS.md
#   SIZE_MB=1024 REPS=3 bash bench/http/run.sh     1 GiB image
#
# Three agents at once (issue 5): STREAMS (3) parallel curls of the same image, aggregate MB/s = bytes / wall time.
# Env: SIZE_MB (256) REPS (5) STREAMS (3) DURATION (15 s of wrk per server) CONNS (16) THREADS (2) SMALL_KB (4, the wrk file)
#      SKIP_BUILD=1 (use the existing Release build) KEEP=1 (keep the temp dir)
#      RESULTS_FILE (default bench/RESULTS.md; empty = print only)
# Everything runs in a temp dir on 127.0.0.1 and free ports; only the processes started here are stopped.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
SIZE_MB=${SIZE_MB:-256} REPS=${REPS:-5} DURATION=${DURATION:-15} CONNS=${CONNS:-16} THREADS=${THREADS:-2}
SMALL_KB=${SMALL_KB:-4} STREAMS=${STREAMS:-3}
RESULTS_FILE=${RESULTS_FILE-$REPO/bench/RESULTS.md}
# The machine may be shared: as root, run both servers and the clients at the same higher priority.
NICE=(); [[ $EUID -eq 0 ]] && NICE=(nice -n "${PRIO:--10}")

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

need=()
command -v nginx >/dev/null || need+=(nginx-light)
command -v wrk >/dev/null || need+=(wrk)
command -v curl >/dev/null || need+=(curl)
if ((${#need[@]})); then
  [[ $EUID -eq 0 ]] || die "missing ${need[*]}; run as root or apt-get install them"
  log "installing ${need[*]}"
  apt-get install -y --no-install-recommends "${need[@]}" >/dev/null ||
    { apt-get update >/dev/null && apt-get install -y --no-install-recommends "${need[@]}" >/dev/null; }
fi

WORK=$(mktemp -d /tmp/bifrost-http-bench.XXXXXX)
chmod 755 "$WORK"   # nginx workers run as nobody
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  [[ -n ${KEEP:-} ]] && log "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 1 150); do curl -sf -o /dev/null "$1" && return 0; sleep 0.2; done; die "$1 did not answer"; }

# --- build ---
BIN=$REPO/src/Bifrost.Host/bin/Release/net10.0
if [[ -z ${SKIP_BUILD:-} ]]; then
  log "building Bifrost (Release)"
  dotnet build "$REPO/src/Bifrost.Host" -c Release -v q -nologo >/dev/null || die "dotnet build"
fi
[[ -f $BIN/bifrost.dll ]] || die "$BIN/bifrost.dll missing (build first or drop SKIP_BUILD)"

# --- data: one directory served by both ---
STATE=$WORK/state; mkdir -p "$STATE/images"
log "writing a ${SIZE_MB} MiB image and a ${SMALL_KB} KiB file"
head -c "$((SIZE_MB * 1024 * 1024))" /dev/urandom > "$STATE/images/disk.img"
head -c "$((SMALL_KB * 1024))" /dev/urandom > "$STATE/images/small.bin"
chmod -R a+rX "$STATE"

# --- servers ---
BOOT_PORT=$(free_port) API_PORT=$(free_port) NGINX_PORT=$(free_port)
Bifrost__StateDir=$STATE Bifrost__Api__Listen=127.0.0.1:$API_PORT Bifrost__Boot__Listen=127.0.0.1:$BOOT_PORT \
  Bifrost__Logging__Level=Warning "${NICE[@]}" dotnet "$BIN/bifrost.dll" serve > "$WORK/bifrost.log" 2>&1 &
PIDS+=($!)
mkdir -p "$WORK/nginx"
cat > "$WORK/nginx/nginx.conf" <<CONF
daemon off;
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  default_type application/octet-stream;
  client_body_temp_path $WORK/nginx/tmp;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location /images/ { root $STATE; }
  }
}
CONF
"${NICE[@]}" nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" &
PIDS+=($!)
wait_http "http://127.0.0.1:$BOOT_PORT/images/small.bin"
wait_http "http://127.0.0.1:$NGINX_PORT/images/small.bin"
BIFROST_URL=http://127.0.0.1:$BOOT_PORT/images NGINX_URL=http://127.0.0.1:$NGINX_PORT/images

cmp <(curl -sf "$BIFROST_URL/disk.img") "$STATE/images/disk.img" || die "Bifrost served different bytes"
cmp <(curl -sf "$NGINX_URL/disk.img") "$STATE/images/disk.img" || die "nginx served different bytes"

# --- big file: curl, alternating so both see the same machine load ---
declare -A SPEEDS=([bifrost]="" [nginx]="")
for i in $(seq 1 "$REPS"); do
  for s in bifrost nginx; do
    url=$BIFROST_URL; [[ $s == nginx ]] && url=$NGINX_URL
    bps=$("${NICE[@]}" curl -sf -o /dev/null -w '%{speed_download}' "$url/disk.img")
    SPEEDS[$s]+="$bps "
    log "download $i $s: $(python3 -c "print(f'{$bps/1e6:.0f} MB/s')")"
  done
done

# --- the same image to STREAMS clients at once (agents pulling images in parallel), alternating ---
declare -A AGG=([bifrost]="" [nginx]="")
for i in $(seq 1 "$REPS"); do
  for s in bifrost nginx; do
    url=$BIFROST_URL; [[ $s == nginx ]] && url=$NGINX_URL
    t0=$(date +%s.%N); cpids=()
    for _ in $(seq 1 "$STREAMS"); do "${NICE[@]}" curl -sf -o /dev/null "$url/disk.img" & cpids+=($!); done
    for p in "${cpids[@]}"; do wait "$p" || die "$s: a parallel download failed"; done
    t1=$(date +%s.%N)
    bps=$(python3 -c "print($STREAMS * $SIZE_MB * 1048576 / ($t1 - $t0))")
    AGG[$s]+="$bps "
    log "parallel $i $s: $STREAMS streams, $(python3 -c "print(f'{$bps/1e6:.0f} MB/s')") aggregate"
  done
done

# --- small file: wrk ---
declare -A RPS
for s in bifrost nginx; do
  url=$BIFROST_URL; [[ $s == nginx ]] && url=$NGINX_URL
  "${NICE[@]}" wrk -t"$THREADS" -c"$CONNS" -d5s "$url/small.bin" > /dev/null   # warm-up (JIT tiers), discarded
  "${NICE[@]}" wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency "$url/small.bin" > "$WORK/wrk-$s.txt"
  RPS[$s]=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk-$s.txt")
  log "wrk $s: ${RPS[$s]} req/s"
done
P99_B=$(awk '$1=="99%" {print $2}' "$WORK/wrk-bifrost.txt") P99_N=$(awk '$1=="99%" {print $2}' "$WORK/wrk-nginx.txt")

LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
REPORT=$(python3 - "${SPEEDS[bifrost]}" "${SPEEDS[nginx]}" "${RPS[bifrost]}" "${RPS[nginx]}" "$SIZE_MB" "$REPS" \
  "$DURATION" "$CONNS" "$SMALL_KB" "$P99_B" "$P99_N" "$LOAD" "${AGG[bifrost]}" "${AGG[nginx]}" "$STREAMS" <<'PY'
import statistics, sys
b, n = [list(map(float, a.split())) for a in sys.argv[1:3]]
rb, rn = float(sys.argv[3]), float(sys.argv[4])
size, reps, dur, conns, small, p99b, p99n, load = sys.argv[5:13]
ab, an = [list(map(float, a.split())) for a in sys.argv[13:15]]
streams = sys.argv[15]
mb, mn = statistics.median(b), statistics.median(n)
print(f"| measure | Bifrost | nginx | Bifrost / nginx |")
print(f"|---|---|---|---|")
print(f"| {size} MiB image, curl, median of {reps} | {mb/1e6:.0f} MB/s | {mn/1e6:.0f} MB/s | **{mb/mn*100:.0f}%** |")
print(f"| same, best of {reps} | {max(b)/1e6:.0f} MB/s | {max(n)/1e6:.0f} MB/s | {max(b)/max(n)*100:.0f}% |")
mab, man = statistics.median(ab), statistics.median(an)
print(f"| {streams} × the same {size} MiB image at once, aggregate, median of {reps} | {mab/1e6:.0f} MB/s | {man/1e6:.0f} MB/s | **{mab/man*100:.0f}%** |")
print(f"| same, best of {reps} | {max(ab)/1e6:.0f} MB/s | {max(an)/1e6:.0f} MB/s | {max(ab)/max(an)*100:.0f}% |")
print(f"| {small} KiB file, wrk -c{conns} {dur} s | {rb:.0f} req/s (p99 {p99b}) | {rn:.0f} req/s (p99 {p99n}) | **{rb/rn*100:.0f}%** |")
print()
print(f"Load average at the end: {load} (2 CPUs).")
PY
)
echo "$REPORT"
if [[ -n $RESULTS_FILE ]]; then
  {
    echo
    echo "## HTTP boot streaming: Bifrost vs nginx ($(date -u '+%Y-%m-%d %H:%M UTC'))"
    echo
    echo "\`SIZE_MB=$SIZE_MB REPS=$REPS DURATION=$DURATION STREAMS=$STREAMS bash bench/http/run.sh\` — loopback, one file served by both"
    echo "(Bifrost: \`/images/\` on its boot listener, Release build; nginx $(nginx -v 2>&1 | sed 's/.*\///'): \`sendfile on\`,"
    echo "\`worker_processes auto\`, access log off). Targets: one stream ≥ 80% of nginx (issue 4); $STREAMS streams at once ≥ 90% of"
    echo "nginx's aggregate (issue 5)."
    echo
    echo "$REPORT"
  } >> "$RESULTS_FILE"
  log "appended to $RESULTS_FILE"
fi

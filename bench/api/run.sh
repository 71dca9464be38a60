#!/usr/bin/env bash
# API benchmark: Bifrost vs. the real OpenStack Ironic (Debian python3-ironic), same data, same wrk settings.
#
#   bash bench/api/run.sh                        full run (10-15 min): 10k nodes + 20k ports, 60 s per list
#                                                endpoint, 15 s for show and create;
#                                                writes a section into bench/RESULTS.md
#   NODES=200 DURATION=3 bash bench/api/run.sh   smoke run: prints the table only
#
# Env: NODES (10000) DURATION (15 s, show and create) LIST_DURATION (4 x DURATION, the two list endpoints)
#      WARMUP (5 s, discarded run before each GET measurement) THREADS (2) CONNS (16) TIMEOUT (60, wrk --timeout)
#      PRIO (-10: nice level of the servers, wrk and the seeder when run as root; the machine may be shared)
#      QUIET_WAIT (60 s: how long to wait, before each measurement, for other processes to go quiet)
#      SERVERS ("ironic bifrost"; one of them alone also works) SEED_WORKERS (8) SKIP_BUILD=1 KEEP=1 (keep
#      the temp dir) RESULTS_FILE (default bench/RESULTS.md for a full run with both servers, else none).
# Everything runs in a temp dir, on 127.0.0.1 and free ports; only the processes started here are stopped.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
NODES=${NODES:-10000} DURATION=${DURATION:-15} WARMUP=${WARMUP:-5} THREADS=${THREADS:-2} CONNS=${CONNS:-16} TIMEOUT=${TIMEOUT:-60}
SERVERS=${SERVERS:-ironic bifrost} SEED_WORKERS=${SEED_WORKERS:-8} QUIET_WAIT=${QUIET_WAIT:-60}
# Ironic needs >1 s per 1000-node list; with 16 connections its first replies arrive only after ~15-20 s,
# so a 15 s window would count almost nothing. The list endpoints therefore get a longer window (both servers).
LIST_DURATION=${LIST_DURATION:-$((4 * DURATION))}
if [[ -z ${RESULTS_FILE+x} ]]; then
  RESULTS_FILE=""
  [[ $NODES -ge 10000 && $SERVERS == *ironic* && $SERVERS == *bifrost* ]] && RESULTS_FILE=$REPO/bench/RESULTS.md
fi
# On a shared machine, other processes take CPU from the servers and wrk; as root, run ours at a higher
# priority (both servers and wrk alike). The CPU table in the report shows how much the others still got.
NICE=(); [[ $EUID -eq 0 ]] && NICE=(nice -n "${PRIO:--10}")
IRONIC_PY=/usr/bin/python3   # Debian's python3-ironic is installed for the system interpreter only
WRK_ARGS="-t$THREADS -c$CONNS --timeout ${TIMEOUT}s --latency"   # plus -d per run
HDRS=(-H 'X-OpenStack-Ironic-API-Version: 1.78' -H 'Accept: application/json' -H 'Content-Type: application/json')

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# --- dependencies (installed only when missing and we are root) ---
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v sqlite3 >/dev/null || need+=(sqlite3)
command -v curl >/dev/null || need+=(curl)
[[ -x /usr/bin/time ]] || need+=(time)
[[ $SERVERS == *ironic* ]] && ! $IRONIC_PY -c 'import ironic' 2>/dev/null && need+=(python3-ironic)
if ((${#need[@]})); then
  [[ $EUID -eq 0 ]] || die "missing ${need[*]}; run as root or apt-get install them"
  log "installing ${need[*]}"
  apt-get install -y --no-install-recommends "${need[@]}" >/dev/null ||
    { apt-get update >/dev/null && apt-get install -y --no-install-recommends "${need[@]}" >/dev/null; }
fi

# --- temp dir, started processes, cleanup ---
WORK=$(mktemp -d /tmp/bifrost-api-bench.XXXXXX)
OUT=$WORK/out; mkdir -p "$OUT"
PIDS=()
stop_pid() {  # stop one process we started: TERM, then KILL after 15 s
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 30); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.5; done
  kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  if [[ $rc -ne 0 || ${KEEP:-0} == 1 ]]; then log "kept $WORK (logs, wrk output)"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

fact() { echo "$1=$2" >> "$OUT/facts"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }   # kb PID VmRSS|VmHWM

wait_ready() {  # wait_ready URL PID LOG: until URL answers 200, or fail if PID exits / 180 s pass
  local i
  for i in $(seq 360); do
    kill -0 "$2" 2>/dev/null || { tail -30 "$3" >&2; die "server exited before it was ready ($3)"; }
    [[ $(curl -s -o /dev/null -w '%{http_code}' "$1" || true) == 200 ]] && return 0
    sleep 0.5
  done
  die "$1 not ready after 180 s"
}

HZ=$(getconf CLK_TCK)
alive() { kill -0 "$1" 2>/dev/null || die "server pid $1 is gone (crashed, or stopped from outside this script)"; }
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }   # utime + stime of PID
busy_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }   # all CPUs, not idle
wait_idle() {  # wait_idle PID: until PID uses < 5% of a CPU over 1 s (it may still serve abandoned requests)
  # and, for up to QUIET_WAIT s, until all other processes together use < 10% of a CPU (a shared machine).
  local i a b ta tb
  for i in $(seq 600); do
    alive "$1"
    a=$(cpu_ticks "$1") ta=$(busy_ticks); sleep 1; b=$(cpu_ticks "$1") tb=$(busy_ticks)
    if (( b - a < HZ / 20 )); then
      (( tb - ta - (b - a) < HZ / 10 )) && return 0
      (( i < QUIET_WAIT )) || { log "warning: other processes still use $(( (tb - ta - b + a) * 100 / HZ ))% CPU"; return 0; }
    fi
  done
  log "warning: pid $1 still busy after 600 s"
}

run_wrk() {  # run_wrk SERVER ENDPOINT PID SECONDS wrk-args...: one measurement in $OUT/SERVER-ENDPOINT.txt
  local pid=$3 s0 s1 t0 t1 w0 w1 start
  if [[ $2 != create && $WARMUP -gt 0 ]]; then   # warm caches/JIT; create is warmed by the seeding
    log "wrk $1 $2 (warm-up, ${WARMUP} s)"
    # shellcheck disable=SC2086
    "${NICE[@]}" wrk $WRK_ARGS -d"${WARMUP}s" "${HDRS[@]}" "${@:5}" > "$OUT/$1-$2.warmup" 2>&1 || true
  fi
  wait_idle "$pid"
  log "wrk $1 $2 (${4} s)"
  s0=$(cpu_ticks "$pid") t0=$(busy_ticks) start=$(date +%s.%N)
  # shellcheck disable=SC2086
  "${NICE[@]}" /usr/bin/time -f '%U %S' -o "$OUT/$1-$2.time" wrk $WRK_ARGS -d"${4}s" "${HDRS[@]}" "${@:5}" \
    > "$OUT/$1-$2.txt" 2>&1 || true
  s1=$(cpu_ticks "$pid") t1=$(busy_ticks)
  # CPU seconds used during the run by the server, by wrk, and by everything else on the machine.
  alive "$pid"
  read -r w0 w1 < <(tail -1 "$OUT/$1-$2.time")   # GNU time may add a "Command exited ..." line first
  python3 -c 'import sys; hz, s, t, wu, ws, t0, t1 = map(float, sys.argv[1:]); el = t1 - t0
print("%.2f %.2f %.2f" % (s / hz / el, (wu + ws) / el, max(0.0, (t - s) / hz - wu - ws) / el))' \
    "$HZ" "$((s1 - s0))" "$((t1 - t0))" "$w0" "$w1" "$start" "$(date +%s.%N)" \
    > "$OUT/$1-$2.cpu"
  python3 "$HERE/report.py" check "$OUT/$1-$2.txt" >&2 || { cat "$OUT/$1-$2.txt" >&2; INVALID=1; }
}

bench_server() {  # bench_server NAME BASE_URL PID: the four measurements, creates last, plus RSS
  local name=$1 base=$2 pid=$3 key path
  fact "${name}_rss_seeded_kb" "$(kb "$pid" VmRSS)"
  for key in list detail show; do
    case $key in list) path=/v1/nodes ;; detail) path='/v1/nodes/detail?limit=1000' ;; show) path=/v1/nodes/bench-00001 ;; esac
    read -r status bytes items < <(python3 "$HERE/report.py" probe "$base$path")
    [[ $status == 200 ]] || { INVALID=1; log "$name GET $path -> HTTP $status"; }
    fact "${name}_probe_$key" "HTTP $status, $items nodes, $bytes bytes"
  done
  run_wrk "$name" list "$pid" "$LIST_DURATION" "$base/v1/nodes"
  run_wrk "$name" detail "$pid" "$LIST_DURATION" "$base/v1/nodes/detail?limit=1000"
  run_wrk "$name" show "$pid" "$DURATION" -s "$HERE/show.lua" "$base" -- "$NODES"
  wait_idle "$pid"
  fact "${name}_rss_reads_kb" "$(kb "$pid" VmRSS)"
  run_wrk "$name" create "$pid" "$DURATION" -s "$HERE/create.lua" "$base"
  wait_idle "$pid"
  fact "${name}_rss_create_kb" "$(kb "$pid" VmRSS)"
  fact "${name}_hwm_kb" "$(kb "$pid" VmHWM)"
}

source "$HERE/servers.sh"   # ironic_phase, bifrost_phase

# --- facts for the report ---
START=$SECONDS INVALID=0
fact date "$(date -u '+%Y-%m-%d %H:%M UTC')"
fact cmd "$(env | grep -oE '^(NODES|DURATION|LIST_DURATION|WARMUP|THREADS|CONNS|TIMEOUT|SERVERS|PRIO|QUIET_WAIT)=.*' | tr '\n' ' ')bash bench/api/run.sh"
fact nodes "$NODES"; fact ports "$((2 * NODES))"; fact duration "$DURATION"; fact threads "$THREADS"
fact conns "$CONNS"; fact wrkargs "wrk $WRK_ARGS -d${DURATION}s (lists: -d${LIST_DURATION}s)"
fact list_duration "$LIST_DURATION"; fact nice "${NICE[*]:-not reniced}"; fact warmup "$WARMUP"; fact nproc "$(nproc)"
fact cpu "$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
fact mem "$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
fact os "$(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
fact wrk_version "$(wrk -v 2>&1 | head -1 | awk '{print $1, $2}')"
fact ironic_version "$(dpkg-query -W -f '${Version}' python3-ironic 2>/dev/null || echo none)"
fact dotnet_version "$(dotnet --version 2>/dev/null || echo none)"
rev=$(git -C "$REPO" log -1 --format=%h 2>/dev/null || true)
fact git_rev "${rev:-(no commit yet)}, $(git -C "$REPO" status --porcelain 2>/dev/null | wc -l) uncommitted paths"

log "work dir $WORK; NODES=$NODES; wrk $WRK_ARGS -d$DURATION/$LIST_DURATION s; servers: $SERVERS"
for s in $SERVERS; do "${s}_phase"; done
fact elapsed "$(((SECONDS - START) / 60)) min $(((SECONDS - START) % 60)) s"

echo
[[ $INVALID == 0 ]] || RESULTS_FILE=""   # never record an invalid run
python3 "$HERE/report.py" table "$OUT" $RESULTS_FILE || INVALID=1
[[ $INVALID == 0 ]] || die "some requests failed (see above); results are invalid and were not written"

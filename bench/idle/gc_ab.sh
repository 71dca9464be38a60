#!/usr/bin/env bash
# A/B check that a runtime setting chosen for the idle footprint does not hurt API latency: starts one Release daemon
# per variant (same build, different env), seeds each with NODES nodes, then runs the same wrk loads ROUNDS times,
# interleaved A, B, A, B... so that the noise of a shared machine falls on both alike. Prints req/s and p99 per run
# and each daemon's RSS at the end.
#
#   A="" B="DOTNET_gcServer=1" NODES=2000 ROUNDS=3 SECONDS_PER_RUN=10 bash bench/idle/gc_ab.sh
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd); REPO=$(cd "$HERE/../.." && pwd); API=$REPO/bench/api
NODES=${NODES:-2000} ROUNDS=${ROUNDS:-3} SECS=${SECONDS_PER_RUN:-10}
log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }
command -v wrk >/dev/null || die "wrk missing"
WORK=$(mktemp -d /tmp/bifrost-gc-ab.XXXXXX); PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 1; rm -rf "$WORK"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ready() { for _ in $(seq 360); do [[ $(curl -s -o /dev/null -w '%{http_code}' "$1/v1" || true) == 200 ]] && return 0; sleep 0.5; done; die "$1 not ready"; }
NICE=(); [[ $EUID -eq 0 ]] && NICE=(nice -n -10)
HDRS=(-H 'X-OpenStack-Ironic-API-Version: 1.78' -H 'Accept: application/json')
declare -A BASE PID
for v in A B; do
  dir=$WORK/$v; mkdir -p "$dir"; port=$(free_port); BASE[$v]=http://127.0.0.1:$port
  # shellcheck disable=SC2086  # the variant is a list of VAR=value words
  env ${!v:-} Bifrost__StateDir="$dir" Bifrost__Api__Listen=127.0.0.1:$port Bifrost__Logging__Level=Warning \
    "${NICE[@]}" "$REPO/src/Bifrost.Host/bin/Release/net10.0/bifrost" serve > "$dir/stdout.log" 2>&1 &
  PID[$v]=$!; PIDS+=("${PID[$v]}")
done
for v in A B; do ready "${BASE[$v]}"; python3 "$API/seed_api.py" "${BASE[$v]}" 1 "$NODES" 8 >&2 || die "seeding $v"; done
run() {  # run VARIANT NAME wrk-args...
  local out; out=$("${NICE[@]}" wrk -t2 -c16 -d"${SECS}s" --timeout 30s --latency "${HDRS[@]}" "${@:3}" 2>&1)
  printf '%s %-6s %-8s %8s req/s  p99 %s\n' "$(date -u +%H:%M:%S)" "$1" "$2" \
    "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" "$(awk '$1 == "99%" {print $2}' <<<"$out")"
}
echo "A = '${A:-}'   B = '${B:-}'   ($NODES nodes each, wrk -t2 -c16, ${SECS} s per run, load $(cut -d' ' -f1-3 /proc/loadavg))"
for r in $(seq "$ROUNDS"); do
  for v in A B; do run "$v" show -s "$API/show.lua" "${BASE[$v]}" -- "$NODES"; done
  for v in A B; do run "$v" detail "${BASE[$v]}/v1/nodes/detail?limit=1000"; done
  for v in A B; do run "$v" show -s "$API/show.lua" "${BASE[$v]}" -- "$NODES"; done
done
for v in A B; do echo "$v: RSS $(awk '$1 == "VmRSS:" {printf "%.0f", $2 / 1024}' "/proc/${PID[$v]}/status") MB, peak $(awk '$1 == "VmHWM:" {printf "%.0f", $2 / 1024}' "/proc/${PID[$v]}/status") MB"; done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"

#!/usr/bin/env bash
# One power-state sync pass over N ipmi nodes, each with its own BMC (OpenIPMI's ipmi_sim) on its own 127.x address:
# how long the pass takes and how much memory it costs the daemon (issue 3 target: 1,000 nodes within 60 s on
# 2 cores, < 100 MB extra).
#
#   bash bench/ipmi/sync-pass.sh          N=1000 (about 3-5 min: start 1,000 simulators, enroll, manage, one pass)
#   N=100 bash bench/ipmi/sync-pass.sh    smoke run
#
# Bifrost runs as the real daemon (Release build) with SyncPowerStateInterval=$INTERVAL; the script waits until
# every node is manageable (each manage opens a session to its BMC), takes the RSS, then waits for the next pass
# that checks all N nodes and reads its duration from the daemon's log line "power sync: N node(s) checked in X s".
# Extra memory = the highest RSS sampled (every 0.2 s) during that pass minus the RSS just before it, and minus the
# RSS of the idle daemon before any node existed (so the open BMC sessions are counted too).
# Everything runs in a temp dir on loopback; only processes started here are stopped.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd); REPO=$(cd "$HERE/../.." && pwd)
N=${N:-1000} INTERVAL=${INTERVAL:-20} BMC_PORT=${BMC_PORT:-9623}
log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
command -v ipmi_sim >/dev/null || { log "ipmi_sim missing: apt-get install openipmi"; exit 1; }

WORK=$(mktemp -d /tmp/bifrost-sync-bench.XXXXXX); PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

addr() { echo "127.1.$(($1 / 250)).$(($1 % 250 + 1))"; }
cat > "$WORK/chassis.sh" <<'SH'
#!/bin/sh
dir=$1; shift; cmd=$1; shift
case "$cmd" in
  get) for v in "$@"; do [ "$v" = power ] && echo "power:$(cat "$dir/power" 2>/dev/null || echo 0)"; done ;;
  set) [ "$1" = power ] && echo "$2" > "$dir/power" ;;
esac
exit 0
SH
chmod +x "$WORK/chassis.sh"
printf 'mc_setbmc 0x20\nmc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr\nmc_enable 0x20\n' > "$WORK/bmc.emu"

log "starting $N ipmi_sim BMCs on 127.1.x.y:$BMC_PORT"
for i in $(seq 0 $((N - 1))); do
  d=$WORK/bmc$i; mkdir -p "$d/state"; echo 0 > "$d/power"
  cat > "$d/lan.conf" <<CONF
name "bmc$i"
set_working_mc 0x20
  startlan 1
    addr $(addr "$i") $BMC_PORT
    priv_limit admin
    allowed_auths_admin md5 straight
    guid 00000000000000000000000000000001
  endlan
  chassis_control "$WORK/chassis.sh $d"
  user 2 true "admin" "password" admin 10 md5 straight
CONF
  ipmi_sim -n -c "$d/lan.conf" -f "$WORK/bmc.emu" -s "$d/state" >/dev/null 2>&1 </dev/null &
  PIDS+=($!)
done
sleep 3

log "building and starting Bifrost"
[[ ${SKIP_BUILD:-0} == 1 ]] || dotnet build "$REPO/src/Bifrost.Host" -c Release -nologo -v quiet >/dev/null
API_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
Bifrost__StateDir=$WORK/state Bifrost__Api__Listen=127.0.0.1:$API_PORT \
Bifrost__Conductor__SyncPowerStateInterval=$INTERVAL Bifrost__Conductor__PowerFailureRecoveryInterval=0 Bifrost__Logging__Level=Debug \
  dotnet "$REPO/src/Bifrost.Host/bin/Release/net10.0/bifrost.dll" serve > "$WORK/stdout.log" 2>&1 &
BIFROST=$!; PIDS+=($BIFROST)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$API_PORT/v1" >/dev/null && break; sleep 0.2; done
sleep 2; idle=$(awk '$1 == "VmRSS:" {print $2}' "/proc/$BIFROST/status")   # the daemon before any node or session

log "enrolling and managing $N nodes"
python3 - "$API_PORT" "$N" "$BMC_PORT" <<'PY'
import json, sys, time, urllib.request
from concurrent.futures import ThreadPoolExecutor
port, n, bmc_port = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
base = f"http://127.0.0.1:{port}/v1"
H = {"Content-Type": "application/json", "X-OpenStack-Ironic-API-Version": "1.78"}
def call(method, path, body=None):
    req = urllib.request.Request(base + path, method=method, headers=H, data=None if body is None else json.dumps(body).encode())
    with urllib.request.urlopen(req, timeout=60) as r:
        data = r.read()
        return json.loads(data) if data else None
def enroll(i):
    a = f"127.1.{i // 250}.{i % 250 + 1}"
    node = call("POST", "/nodes", {"name": f"sync{i}", "driver": "ipmi", "driver_info": {
        "ipmi_address": a, "ipmi_port": bmc_port, "ipmi_username": "admin", "ipmi_password": "password"}})
    call("PUT", f"/nodes/{node['uuid']}/states/provision", {"target": "manage"})
with ThreadPoolExecutor(16) as pool: list(pool.map(enroll, range(n)))
deadline = time.time() + 600
while time.time() < deadline:
    states = {}
    marker = None
    while True:
        page = call("GET", "/nodes?fields=uuid,provision_state&limit=1000" + (f"&marker={marker}" if marker else ""))["nodes"]
        for x in page: states[x["provision_state"]] = states.get(x["provision_state"], 0) + 1
        if len(page) < 1000: break
        marker = page[-1]["uuid"]
    if states.get("manageable", 0) == n: break
    if not (states.keys() - {"manageable", "verifying", "enroll"}) and states.get("verifying", 0) == 0 and states.get("enroll", 0):
        sys.exit(f"some nodes failed to manage: {states}")
    time.sleep(1)
else:
    sys.exit(f"nodes not manageable after 600 s: {states}")
PY
rss() { awk '$1 == "VmRSS:" {print $2}' "/proc/$BIFROST/status"; }
passes_before=$(grep -c "power sync: $N node(s) checked" "$WORK/stdout.log" || true)
base=$(rss); peak=$base
log "all $N manageable; RSS ${base} kB; waiting for the next full sync pass (interval $INTERVAL s)"
while [[ $(grep -c "power sync: $N node(s) checked" "$WORK/stdout.log" || true) -le $passes_before ]]; do
  r=$(rss); ((r > peak)) && peak=$r; sleep 0.2
done
line=$(grep "power sync: $N node(s) checked" "$WORK/stdout.log" | tail -1)
secs=$(sed -E 's/.*checked in ([0-9.]+) s.*/\1/' <<<"$line")
echo
echo "| measure | value | target |"
echo "|---|---|---|"
echo "| nodes (one ipmi_sim each, 127.1.x.y) | $N | 1,000 |"
echo "| one sync pass | ${secs} s | < 60 s |"
echo "| RSS of the idle daemon (no nodes) | $((idle / 1024)) MB | |"
echo "| RSS before the pass ($N nodes, $N BMC sessions open since manage) | $((base / 1024)) MB | |"
echo "| extra RSS during the pass (peak − before) | $(((peak - base) / 1024)) MB | < 100 MB |"
echo "| peak RSS during the pass − idle daemon (nodes, sessions and the pass together) | $(((peak - idle) / 1024)) MB | < 100 MB |"
echo "| daemon log line | \`${line##*] }\` | |"

#!/usr/bin/env bash
# Idle footprint (issue 6): Bifrost vs the real OpenStack Ironic single process (Debian python3-ironic), each with the
# same 1,000 manageable fake-hardware nodes (2 ports each) and its power-state sync loop running every 60 s, left
# alone side by side for DURATION seconds. Reports each process's CPU (share of one core over the window) and RSS
# (at the end, and the peak VmHWM). Targets: Bifrost idle CPU < 1% of a core, RSS < 150 MB, both below Ironic's.
#
#   bash bench/idle/run.sh                    NODES=1000 DURATION=300 (about 7 min); prints the table
#   NODES=100 DURATION=30 bash bench/idle/run.sh    smoke run
#
# Both servers are started, seeded and moved to manageable first; then both are measured over the same window.
# Everything runs in a temp dir on 127.0.0.1 and free ports; only the processes started here are stopped.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd); REPO=$(cd "$HERE/../.." && pwd); API=$REPO/bench/api
NODES=${NODES:-1000} DURATION=${DURATION:-300}
IRONIC_PY=/usr/bin/python3
log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }
$IRONIC_PY -c 'import ironic' 2>/dev/null || die "python3-ironic missing (apt-get install python3-ironic)"
command -v sqlite3 >/dev/null || die "sqlite3 missing"

WORK=$(mktemp -d /tmp/bifrost-idle-bench.XXXXXX); PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 1; rm -rf "$WORK"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ready() { for _ in $(seq 360); do [[ $(curl -s -o /dev/null -w '%{http_code}' "$1/v1" || true) == 200 ]] && return 0; sleep 0.5; done; die "$1 not ready"; }
H=(-H 'X-OpenStack-Ironic-API-Version: 1.78' -H 'Content-Type: application/json')
manage_all() {  # manage_all BASE FIRST LAST: PUT manage on bench-FIRST..LAST, then wait until all are manageable
  python3 - "$1" "$2" "$3" <<'PY'
import json, sys, time, urllib.request
from concurrent.futures import ThreadPoolExecutor
base, first, last = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
H = {"Content-Type": "application/json", "X-OpenStack-Ironic-API-Version": "1.78"}
def call(method, path, body=None):
    req = urllib.request.Request(base + path, method=method, headers=H, data=None if body is None else json.dumps(body).encode())
    with urllib.request.urlopen(req, timeout=120) as r:
        d = r.read(); return json.loads(d) if d else None
with ThreadPoolExecutor(8) as pool:
    list(pool.map(lambda i: call("PUT", f"/v1/nodes/bench-{i:05d}/states/provision", {"target": "manage"}), range(first, last + 1)))
for _ in range(600):
    states = [call("GET", f"/v1/nodes/bench-{i:05d}?fields=provision_state")["provision_state"] for i in (first, last)]
    if all(s == "manageable" for s in states): sys.exit(0)
    time.sleep(0.5)
sys.exit("nodes did not become manageable")
PY
}

# --- Ironic: its own API creates and manages bench-00001, SQL clones it (as bench/api does), sync loop every 60 s ---
IDIR=$WORK/ironic; mkdir -p "$IDIR/lock"; IPORT=$(free_port); IBASE=http://127.0.0.1:$IPORT
sed -e "s|@DIR@|$IDIR|g" -e "s|@PORT@|$IPORT|g" -e 's|^sync_power_state_interval = 0|sync_power_state_interval = 60|' \
  "$API/ironic.conf.in" > "$IDIR/ironic.conf"
grep -q '^sync_power_state_interval = 60' "$IDIR/ironic.conf" || die "could not turn Ironic's sync loop on"
$IRONIC_PY -c 'import sys; from ironic.cmd.dbsync import main; sys.exit(main())' --config-file "$IDIR/ironic.conf" create_schema \
  > "$IDIR/dbsync.log" 2>&1 || die "ironic dbsync"
$IRONIC_PY -c 'from ironic.cmd.singleprocess import main; main()' --config-file "$IDIR/ironic.conf" > "$IDIR/stdout.log" 2>&1 &
IPID=$!; PIDS+=("$IPID"); ready "$IBASE"
python3 "$API/seed_api.py" "$IBASE" 1 1 1 >&2 || die "ironic seeding"
manage_all "$IBASE" 1 1 || die "ironic manage"
sed "s/@NODES@/$NODES/" "$API/ironic_clone.sql.in" | sqlite3 -bail "$IDIR/ironic.db" >&2 || die "ironic SQL seeding"
log "ironic: pid $IPID, $NODES manageable nodes"

# --- Bifrost: Release build, seeded and managed through its API, default sync interval (60 s) ---
[[ ${SKIP_BUILD:-0} == 1 ]] || dotnet build -c Release "$REPO/src/Bifrost.Host" -nologo -v quiet >/dev/null
BDIR=$WORK/bifrost; mkdir -p "$BDIR"; BPORT=$(free_port); BBASE=http://127.0.0.1:$BPORT
Bifrost__StateDir=$BDIR Bifrost__Api__Listen=127.0.0.1:$BPORT Bifrost__Conductor__SyncPowerStateInterval=60 \
  "$REPO/src/Bifrost.Host/bin/Release/net10.0/bifrost" serve > "$BDIR/stdout.log" 2>&1 &
BPID=$!; PIDS+=("$BPID"); ready "$BBASE"
python3 "$API/seed_api.py" "$BBASE" 1 "$NODES" 8 >&2 || die "bifrost seeding"
manage_all "$BBASE" 1 "$NODES" || die "bifrost manage"
log "bifrost: pid $BPID, $NODES manageable nodes"

# --- the idle window: both at once ---
ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
HZ=$(getconf CLK_TCK)
sleep 10   # let the seeding's requests and the first GC settle
i0=$(ticks "$IPID") b0=$(ticks "$BPID") t0=$(date +%s.%N)
log "measuring both for $DURATION s"
sleep "$DURATION"
kill -0 "$IPID" 2>/dev/null || die "ironic exited"; kill -0 "$BPID" 2>/dev/null || die "bifrost exited"
i1=$(ticks "$IPID") b1=$(ticks "$BPID") t1=$(date +%s.%N)
python3 - "$HZ" "$t0" "$t1" "$i0" "$i1" "$b0" "$b1" "$(kb "$IPID" VmRSS)" "$(kb "$IPID" VmHWM)" "$(kb "$BPID" VmRSS)" "$(kb "$BPID" VmHWM)" "$NODES" "$DURATION" <<'PY'
import sys
hz, t0, t1 = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
i0, i1, b0, b1 = map(int, sys.argv[4:8])
irss, ihwm, brss, bhwm = (int(x) / 1024 for x in sys.argv[8:12])
n, d = sys.argv[12], sys.argv[13]
el = t1 - t0
icpu, bcpu = (i1 - i0) / hz / el * 100, (b1 - b0) / hz / el * 100
print(f"\n{n} manageable fake-hardware nodes each, power sync every 60 s, {el:.0f} s idle window, both at once\n")
print("| measure | Bifrost | Ironic 21.4 (single process) | Bifrost ÷ Ironic | target (Bifrost) |")
print("|---|---|---|---|---|")
print(f"| CPU, % of one core | {bcpu:.2f} % | {icpu:.2f} % | {bcpu / icpu if icpu else float('nan'):.2f}× | < 1 %, below Ironic |")
print(f"| RSS at the end | {brss:.0f} MB | {irss:.0f} MB | {brss / irss:.2f}× | < 150 MB, below Ironic |")
print(f"| peak RSS (VmHWM, incl. seeding) | {bhwm:.0f} MB | {ihwm:.0f} MB | {bhwm / ihwm:.2f}× | |")
PY

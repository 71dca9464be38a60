#!/usr/bin/env bash
# Where does Bifrost's idle RSS go? (issue 6) Starts the Release daemon alone with the bench-only startup hook
# (bench/idle/probe: GC, JIT, malloc numbers from inside), seeds NODES nodes through the API and manages them exactly
# as bench/idle/run.sh does, waits SETTLE seconds, then prints:
#   - /proc smaps_rollup (anonymous vs file-backed) and the biggest mappings grouped by kind,
#   - the probe's last line (managed heap, committed, fragmentation, JIT, malloc arenas),
#   - the SQLite files the process holds open (one db + wal per pooled connection),
#   - RSS again after a full compacting GC, and after malloc_trim(0) (what each could give back).
#
#   NODES=1000 SETTLE=60 SKIP_BUILD=1 bash bench/idle/breakdown.sh
#   EXTRA_ENV="DOTNET_GCgen0size=0x400000" bash bench/idle/breakdown.sh     try a runtime knob without rebuilding
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd); REPO=$(cd "$HERE/../.." && pwd); API=$REPO/bench/api
NODES=${NODES:-1000} SETTLE=${SETTLE:-60}
log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }
WORK=$(mktemp -d /tmp/bifrost-rss-breakdown.XXXXXX); PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 1; rm -rf "$WORK"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ready() { for _ in $(seq 360); do [[ $(curl -s -o /dev/null -w '%{http_code}' "$1/v1" || true) == 200 ]] && return 0; sleep 0.5; done; die "$1 not ready"; }

if [[ ${SKIP_BUILD:-0} != 1 ]]; then dotnet build -c Release "$REPO/src/Bifrost.Host" -nologo -v quiet >/dev/null; fi
dotnet build -c Release "$HERE/probe" -nologo -v quiet -o "$WORK/probe" >/dev/null || die "probe build"

BDIR=$WORK/bifrost; mkdir -p "$BDIR"; BPORT=$(free_port); BBASE=http://127.0.0.1:$BPORT; OUT=$WORK/probe.log
# shellcheck disable=SC2086  # EXTRA_ENV is a list of VAR=value words
env ${EXTRA_ENV:-} DOTNET_STARTUP_HOOKS="$WORK/probe/GcProbe.dll" GCPROBE_OUT="$OUT" GCPROBE_INTERVAL=2 \
  Bifrost__StateDir="$BDIR" Bifrost__Api__Listen=127.0.0.1:$BPORT Bifrost__Conductor__SyncPowerStateInterval=60 \
  "$REPO/src/Bifrost.Host/bin/Release/net10.0/bifrost" serve > "$BDIR/stdout.log" 2>&1 &
BPID=$!; PIDS+=("$BPID"); ready "$BBASE"
rss() { awk '$1 == "VmRSS:" {printf "%.1f", $2 / 1024}' "/proc/$BPID/status"; }
sleep 3; log "empty daemon: RSS $(rss) MB"; echo "empty daemon (no nodes): RSS $(rss) MB"; tail -1 "$OUT"
python3 "$API/seed_api.py" "$BBASE" 1 "$NODES" 8 >&2 || die "seeding"
log "seeded: RSS $(rss) MB"
python3 - "$BBASE" "$NODES" <<'PY'
import json, sys, urllib.request
from concurrent.futures import ThreadPoolExecutor
base, n = sys.argv[1], int(sys.argv[2])
H = {"Content-Type": "application/json", "X-OpenStack-Ironic-API-Version": "1.78"}
def put(i):
    req = urllib.request.Request(f"{base}/v1/nodes/bench-{i:05d}/states/provision", method="PUT", headers=H,
                                 data=json.dumps({"target": "manage"}).encode())
    urllib.request.urlopen(req, timeout=120).read()
with ThreadPoolExecutor(8) as pool: list(pool.map(put, range(1, n + 1)))
PY
log "managed: RSS $(rss) MB; settling $SETTLE s"
a0=$(tail -1 "$OUT" | grep -o 'allocated_mb=[0-9.]*' | cut -d= -f2)
sleep "$SETTLE"
a1=$(tail -1 "$OUT" | grep -o 'allocated_mb=[0-9.]*' | cut -d= -f2)
echo "managed allocations while idle (power sync running): $(python3 -c "print(f'{($a1 - $a0):.1f} MB in $SETTLE s')")"

echo; echo "== after $NODES nodes, seeding, manage and $SETTLE s idle: RSS $(rss) MB, peak $(awk '$1 == "VmHWM:" {printf "%.1f", $2 / 1024}' "/proc/$BPID/status") MB"
grep -E '^(Rss|Pss|Pss_Anon|Pss_File|Shared_Clean|Private_Clean|Private_Dirty|Anonymous)' "/proc/$BPID/smaps_rollup"
echo; echo "== RSS by mapping (MB, top 25; anon = unnamed)"
python3 - "$BPID" <<'PY'
import re, sys, collections
rss, name = collections.Counter(), None
for line in open(f"/proc/{sys.argv[1]}/smaps"):
    m = re.match(r'^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$', line)
    if m: name = m.group(1) or "[anon]"; continue
    if line.startswith("Rss:"): rss[name] += int(line.split()[1])
for n, kb in rss.most_common(25): print(f"{kb / 1024:8.1f}  {n}")
PY
echo; echo "== probe (managed heap, JIT, malloc) last sample"; tail -1 "$OUT" | tr ' ' '\n' | column -c 160
echo; echo "== SQLite files open (each pooled connection holds the db and the -wal)"
ls -l "/proc/$BPID/fd" 2>/dev/null | grep -o 'bifrost[^ ]*\.db[^ ]*' | sort | uniq -c
echo; touch "$OUT.collect"; sleep 5; echo "== after a full compacting GC: RSS $(rss) MB"; tail -1 "$OUT" | tr ' ' '\n' | grep -E 'gc_|malloc_'
touch "$OUT.trim"; sleep 5; echo "== after malloc_trim(0): RSS $(rss) MB"; grep '^#' "$OUT" | tail -2

#!/usr/bin/env bash
# DHCP benchmark: Bifrost vs. kea-dhcp4 (single-threaded) vs. dnsmasq, one after the other in the same run, each
# driven by the same perfdhcp (-g single, as a relay) over a veth pair between two private network namespaces.
#
#   bash bench/dhcp/run.sh                 full run (~6 min): rates 500..4000 DORA/s, 10 s each, + a latency capture
#   RATES="1000" DURATION=5 bash bench/dhcp/run.sh    smoke run
#
# Env: PRIO (-10, nice level) RATES ("500 1000 2000 3000 4000") DURATION (10 s per rate) WARMUP (3 s at 500/s before each, not measured) SERVERS ("bifrost kea dnsmasq") SKIP_BUILD=1 KEEP=1
# Per rate every server starts fresh (empty lease database), so every run hands out new leases (a /16 pool).
# "Sustained" = the highest rate at which both exchanges (DISCOVER-OFFER, REQUEST-ACK) lost < 1%.
# Latency: at 1000 DORA/s, tshark captures the client side and p50/p99 of request→reply are computed per exchange.
# dnsmasq runs with --no-ping: by default it pings every address before offering it and waits 3 s for an echo
# (PING_WAIT), so each OFFER comes 3 s late — after perfdhcp's 1 s drop time and after its readiness check had given up
# (the OFFER then met an ICMP port unreachable; seen with tshark on c0). Kea and Bifrost do no such check either.
# Servers and perfdhcp run at the same nice level (PRIO, default -10) so a busy machine slows them alike; the load
# average is printed with the table.
# Needs root (namespaces). Only the processes and namespaces made here are stopped/removed.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
RATES=${RATES:-500 1000 2000 3000 4000} DURATION=${DURATION:-10} WARMUP=${WARMUP:-3} SERVERS=${SERVERS:-bifrost kea dnsmasq}
NICE=(nice -n "${PRIO:--10}")
ID=bfb$$ SRV=bfb$$-srv CLI=bfb$$-cli
WORK=$(mktemp -d /tmp/bifrost-dhcpbench.XXXXXX)
PIDS=()

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
cleanup() {
  for p in "${PIDS[@]:-}"; do [[ -n $p ]] && kill "$p" 2>/dev/null || true; done
  sleep 1
  ip netns del "$CLI" 2>/dev/null || true
  ip netns del "$SRV" 2>/dev/null || true
  [[ -n ${KEEP:-} ]] || rm -rf "$WORK"
}
trap cleanup EXIT
[[ $EUID -eq 0 ]] || { echo "needs root (network namespaces)" >&2; exit 1; }
for c in perfdhcp kea-dhcp4 dnsmasq tshark python3; do command -v $c >/dev/null || { echo "missing $c" >&2; exit 1; }; done

if [[ -z ${SKIP_BUILD:-} ]]; then
  log "building Bifrost (Release)"
  dotnet publish "$REPO/src/Bifrost.Host" -c Release -o "$WORK/bifrost" --nologo -v q >/dev/null
else
  mkdir -p "$WORK/bifrost"; [[ $SERVERS != *bifrost* ]] || cp -r "$REPO"/src/Bifrost.Host/bin/Release/net10.0/* "$WORK/bifrost/"
fi

# Two namespaces joined by one veth pair: s0 10.88.0.1/16 (server), c0 10.88.0.2/16 (perfdhcp, the relay).
ip netns add "$SRV"; ip netns add "$CLI"
ip -n "$SRV" link add s0 type veth peer name c0 netns "$CLI"
ip -n "$SRV" addr add 10.88.0.1/16 dev s0; ip -n "$CLI" addr add 10.88.0.2/16 dev c0
for ns in "$SRV" "$CLI"; do ip -n "$ns" link set lo up; done
ip -n "$SRV" link set s0 up; ip -n "$CLI" link set c0 up

start_server() { # $1 = name, $2 = run dir; sets SERVER_PID
  local dir=$2; mkdir -p "$dir"
  case $1 in
    bifrost)
      ip netns exec "$SRV" "${NICE[@]}" env Bifrost__StateDir="$dir" Bifrost__Api__Listen=127.0.0.1:6385 Bifrost__Logging__Level=Warning \
        Bifrost__Dhcp__Mode=full Bifrost__Dhcp__Interface=s0 Bifrost__Dhcp__Subnet=10.88.0.0/16 \
        Bifrost__Dhcp__RangeStart=10.88.1.0 Bifrost__Dhcp__RangeEnd=10.88.250.255 Bifrost__Dhcp__LeaseTime=3600 \
        sh -c 'echo $$ > "$0/pid"; exec dotnet "$1/bifrost.dll" serve' "$dir" "$WORK/bifrost" >"$dir/log" 2>&1 &
      ;;
    kea)
      cat > "$dir/kea.json" <<JSON
{ "Dhcp4": {
    "interfaces-config": { "interfaces": [ "s0" ], "dhcp-socket-type": "raw" },
    "multi-threading": { "enable-multi-threading": false },
    "lease-database": { "type": "memfile", "persist": true, "name": "$dir/kea-leases4.csv", "lfc-interval": 0 },
    "valid-lifetime": 3600,
    "subnet4": [ { "id": 1, "subnet": "10.88.0.0/16", "pools": [ { "pool": "10.88.1.0 - 10.88.250.255" } ] } ],
    "loggers": [ { "name": "kea-dhcp4", "output_options": [ { "output": "$dir/kea.log" } ], "severity": "WARN" } ]
} }
JSON
      ip netns exec "$SRV" "${NICE[@]}" env KEA_PIDFILE_DIR="$dir" KEA_LOCKFILE_DIR="$dir" sh -c 'echo $$ > "$0/pid"; exec kea-dhcp4 -c "$0/kea.json"' "$dir" >"$dir/log" 2>&1 &
      ;;
    dnsmasq)
      ip netns exec "$SRV" "${NICE[@]}" sh -c 'echo $$ > "$0/pid"; exec dnsmasq --no-daemon --conf-file=/dev/null --port=0 --user=root \
        --interface=s0 --bind-interfaces --dhcp-range=10.88.1.0,10.88.250.255,255.255.0.0,1h --dhcp-lease-max=200000 \
        --dhcp-leasefile="$0/dnsmasq.leases" --dhcp-authoritative --no-ping' "$dir" >"$dir/log" 2>&1 &
      ;;
  esac
  for _ in $(seq 100); do
    [[ -s $dir/pid ]] && break; sleep 0.1
  done
  SERVER_PID=$(cat "$dir/pid"); PIDS+=("$SERVER_PID")
  # Ready when it answers one DISCOVER. perfdhcp's exit status is not used: it is 3 when any packet was dropped, and
  # with -n 1 it may exit before the ACK arrives (dnsmasq's came 1 ms late and met an ICMP port unreachable), which,
  # with pipefail, made the old `perfdhcp | grep -q` fail for dnsmasq although it had answered.
  local ready
  for _ in $(seq 60); do
    ready=$(ip netns exec "$CLI" perfdhcp -4 -g single -l c0 -r 1 -n 1 -W 3000000 10.88.0.1 2>/dev/null || true)
    if grep -q "received packets: 1" <<<"$ready"; then return 0; fi
    sleep 1
  done
  log "$1 did not answer; log:"; cat "$dir/log" >&2; return 1
}

# The server is no child of this shell (ip netns exec + sh): poll until it is gone, so the next one binds alone.
stop_server() {
  kill "$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 300); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$SERVER_PID" 2>/dev/null || true
  sleep 1   # kea-dhcp4 started right after Bifrost exited once failed to answer; a pause avoids it
}

RESULTS=$WORK/results.tsv
: > "$RESULTS"
# Rates outer, servers inner: the servers take turns at each rate, so a load spike from other work on the machine
# hits them alike rather than one server's whole series.
for rate in $RATES; do
  for server in $SERVERS; do
    dir=$WORK/$server-$rate
    start_server "$server" "$dir"
    capture=""
    if [[ $rate == 1000 ]]; then
      capture=$dir/client.pcap
      ip netns exec "$CLI" tshark -q -i c0 -f "udp port 67" -w "$capture" >"$dir/tshark.log" 2>&1 &
      TSHARK=$!; PIDS+=("$TSHARK"); sleep 2
    fi
    # Warm-up (JIT, caches, first leases), the same for every server; not measured.
    ip netns exec "$CLI" "${NICE[@]}" perfdhcp -4 -g single -l c0 -r 500 -R 1000000 -p "$WARMUP" -W 500000 10.88.0.1 >"$dir/warmup.txt" 2>&1 || true
    out=$dir/perfdhcp.txt
    # The server's CPU time (user + system, all threads) over the measured run: unlike rates and drops, CPU per
    # exchange hardly depends on how busy the rest of the machine is.
    cpu0=$(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat")
    ip netns exec "$CLI" "${NICE[@]}" perfdhcp -4 -g single -l c0 -r "$rate" -R 1000000 -p "$DURATION" -W 1000000 10.88.0.1 >"$out" 2>&1 || true
    cpu1=$(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat")
    echo "$(( (cpu1 - cpu0) * 1000 / $(getconf CLK_TCK) ))" > "$dir/cpu_ms"
    [[ -n $capture ]] && { kill -INT "$TSHARK" 2>/dev/null || true; wait "$TSHARK" 2>/dev/null || true; }
    python3 - "$server" "$rate" "$out" "$capture" "$(cat "$dir/cpu_ms")" >>"$RESULTS" <<'PY'
import re, subprocess, sys
server, rate, out, capture, cpu_ms = sys.argv[1:6]
text = open(out).read()
achieved = re.search(r"Rate: ([\d.]+) 4-way", text)
sent = [int(x) for x in re.findall(r"sent packets: (\d+)", text)]
recv = [int(x) for x in re.findall(r"received packets: (\d+)", text)]
drops = [100.0 * (s - r) / s if s else 100.0 for s, r in zip(sent, recv)]
p50 = p99 = ""
if capture:
    rows = subprocess.run(["tshark", "-r", capture, "-T", "fields", "-E", "separator=,", "-e", "frame.time_epoch",
                           "-e", "dhcp.id", "-e", "dhcp.option.dhcp"], capture_output=True, text=True).stdout.split()
    asked, delays = {}, []
    for row in rows:
        t, xid, kind = row.split(",")[:3]
        key = (xid, kind in ("1", "2"))   # DISCOVER/OFFER pair and REQUEST/ACK pair, matched by xid
        if kind in ("1", "3"): asked[key] = float(t)
        elif kind in ("2", "5") and key in asked: delays.append(float(t) - asked.pop(key))
    if delays:
        delays.sort()
        p50 = f"{1000 * delays[len(delays) // 2]:.2f}"
        p99 = f"{1000 * delays[int(len(delays) * 0.99)]:.2f}"
# CPU ms per 1000 exchanges answered (REQUEST-ACK received), "-" when none were.
acks = recv[1] if len(recv) > 1 else 0
cpu_per_k = f"{1000 * int(cpu_ms) / acks:.0f}" if acks else "-"
print("\t".join([server, rate, achieved.group(1) if achieved else "0",
                 f"{drops[0]:.2f}" if drops else "100", f"{drops[1]:.2f}" if len(drops) > 1 else "100", p50, p99, cpu_per_k]))
PY
    log "$(tail -1 "$RESULTS") (load $(cut -d' ' -f1-3 /proc/loadavg))"
    stop_server
  done
done

echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs; servers and perfdhcp at nice ${PRIO:--10}."
echo
python3 - "$RESULTS" <<'PY'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
rows.sort(key=lambda r: (r[0], int(r[1])))
print("| server | offered DORA/s | achieved DORA/s | drops DISCOVER-OFFER | drops REQUEST-ACK | p50 ms | p99 ms | server CPU ms / 1000 DORA |")
print("|---|---|---|---|---|---|---|---|")
for r in rows: print(f"| {r[0]} | {r[1]} | {float(r[2]):.0f} | {r[3]} % | {r[4]} % | {r[5] or '-'} | {r[6] or '-'} | {r[7]} |")
best = {}
for r in rows:
    if float(r[3]) < 1 and float(r[4]) < 1: best[r[0]] = max(best.get(r[0], 0), float(r[2]))
print()
for s, v in best.items(): print(f"sustained (< 1% drops): {s} {v:.0f} DORA/s" + (f" ({v / best['kea']:.2f}x kea)" if 'kea' in best and best['kea'] else ""))
PY

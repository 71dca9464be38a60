#!/usr/bin/env bash
# TFTP benchmark: Bifrost vs atftpd vs dnsmasq's TFTP, same files, same clients, one run, over a veth pair between two
# network namespaces (falls back to loopback when namespaces cannot be created; the report says which).
#
#   bash bench/tftp/run.sh                  full run (needs root for the namespaces): 64 MiB with atftp blksize 1468 +
#                                           windowsize 16, 64 MiB with tftp-hpa (512-byte blocks, no options), 100
#                                           parallel 1 MiB curl downloads (blksize 1468), one curl process each and
#                                           then all from one curl --parallel; appends to bench/RESULTS.md
#   RUNS=1 SIZE_MB=16 bash bench/tftp/run.sh   smoke run: prints the table only
#
# Env: KINDS ("window plain parallel parallel1") SIZE_MB (64) PARALLEL (100) PARALLEL_MB (1) RUNS (5: best and median of each measurement are reported)
#      SERVERS ("bifrost atftpd dnsmasq") SKIP_BUILD=1 KEEP=1 (keep the temp dir) RESULTS_FILE (default
#      bench/RESULTS.md for a full run, else none) FORCE_LOOPBACK=1 PRIO (-10: nice level of servers and clients as root)
# Only the processes and namespaces created here are stopped and removed, also on failure.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
SIZE_MB=${SIZE_MB:-64} PARALLEL=${PARALLEL:-100} PARALLEL_MB=${PARALLEL_MB:-1} RUNS=${RUNS:-5}
SERVERS=${SERVERS:-bifrost atftpd dnsmasq}
if [[ -z ${RESULTS_FILE+x} ]]; then
  RESULTS_FILE=""
  [[ $SIZE_MB -ge 64 && $RUNS -ge 3 && $SERVERS == "bifrost atftpd dnsmasq" ]] && RESULTS_FILE=$REPO/bench/RESULTS.md
fi

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

for cmd in atftp atftpd tftp curl dnsmasq cmp; do
  command -v $cmd >/dev/null || die "$cmd missing (Debian packages: atftp atftpd tftp-hpa curl dnsmasq-base)"
done

WORK=$(mktemp -d /tmp/bifrost-tftp-bench.XXXXXX)
ROOT=$WORK/var/tftp OUT=$WORK/out
mkdir -p "$ROOT" "$OUT"
chmod 755 "$WORK" "$WORK/var" "$ROOT"   # dnsmasq reads the root as user nobody
SNS=bftp-s-$$ CNS=bftp-c-$$ VS=bts$$ VC=btc$$
NETNS_MADE=0
PIDFILES=()

cleanup() {
  local f pid
  for f in "${PIDFILES[@]}"; do
    pid=$(cat "$f" 2>/dev/null) || continue
    kill -TERM "$pid" 2>/dev/null || true
  done
  sleep 1
  for f in "${PIDFILES[@]}"; do
    pid=$(cat "$f" 2>/dev/null) || continue
    kill -KILL "$pid" 2>/dev/null || true
  done
  if ((NETNS_MADE)); then ip netns del "$SNS" 2>/dev/null || true; ip netns del "$CNS" 2>/dev/null || true; fi
  [[ ${KEEP:-0} = 1 ]] && log "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT

# --- the lab: two namespaces joined by a veth pair, or loopback ---
MODE=veth
if [[ ${FORCE_LOOPBACK:-0} != 1 ]] && [[ $EUID -eq 0 ]] && ip netns add "$SNS" 2>/dev/null; then
  NETNS_MADE=1
  ip netns add "$CNS"
  ip link add "$VS" type veth peer name "$VC"
  ip link set "$VS" netns "$SNS"
  ip link set "$VC" netns "$CNS"
  ip -n "$SNS" addr add 10.69.0.1/24 dev "$VS"; ip -n "$SNS" link set "$VS" up; ip -n "$SNS" link set lo up
  ip -n "$CNS" addr add 10.69.0.2/24 dev "$VC"; ip -n "$CNS" link set "$VC" up; ip -n "$CNS" link set lo up
  SIP=10.69.0.1
  INS=(ip netns exec "$SNS") INC=(ip netns exec "$CNS")
else
  MODE=loopback
  SIP=127.0.0.1
  INS=() INC=()
fi
MTU=$(cat /sys/class/net/lo/mtu); ((NETNS_MADE)) && MTU=$(ip netns exec "$SNS" cat /sys/class/net/$VS/mtu)
log "lab: $MODE, server $SIP, MTU $MTU, work dir $WORK"

# --- files ---
head -c $((SIZE_MB * 1024 * 1024)) /dev/urandom > "$ROOT/big.img"
head -c $((PARALLEL_MB * 1024 * 1024)) /dev/urandom > "$ROOT/small.img"

# --- servers (ports: Bifrost 6969, atftpd 6970, dnsmasq 69 — it cannot listen elsewhere; 69 is free in the namespace) ---
declare -A PORT=([bifrost]=6969 [atftpd]=6970 [dnsmasq]=69)
[[ $MODE = loopback ]] && [[ $SERVERS == *dnsmasq* ]] && ss -Huln "sport = :69" | grep -q . && die "port 69 is in use on loopback; run as root for namespaces"

# On a shared machine, as root, servers and clients alike run at nice -10 (PRIO), as in bench/api.
NICE=(); [[ $EUID -eq 0 ]] && NICE=(nice -n "${PRIO:--10}")
INC=("${INC[@]}" "${NICE[@]}")
start() {  # name, command...: started in the server namespace; its PID recorded for cleanup
  local name=$1; shift
  local pidfile=$WORK/$name.pid
  PIDFILES+=("$pidfile")
  "${INS[@]}" "${NICE[@]}" sh -c 'echo $$ > "$0"; exec "$@"' "$pidfile" "$@" > "$WORK/$name.log" 2>&1 &
}

if [[ $SERVERS == *bifrost* ]]; then
  if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    log "building Bifrost (Release)"
    dotnet build -c Release "$REPO/src/Bifrost.Host" -nologo -v q >/dev/null
  fi
  DLL=$REPO/src/Bifrost.Host/bin/Release/net10.0/bifrost.dll
  start bifrost env Bifrost__StateDir="$WORK/var" Bifrost__Api__Listen=127.0.0.1:$((20000 + $$ % 20000)) \
    Bifrost__Tftp__Listen="$SIP:${PORT[bifrost]}" Bifrost__Logging__Level=Warning dotnet "$DLL" serve
fi
[[ $SERVERS == *atftpd* ]] && start atftpd atftpd --daemon --no-fork --logfile /dev/null --port "${PORT[atftpd]}" \
  --bind-address "$SIP" --user root --group root --maxthread 200 "$ROOT"
[[ $SERVERS == *dnsmasq* ]] && start dnsmasq dnsmasq --keep-in-foreground --port=0 --enable-tftp --tftp-root="$ROOT" \
  --tftp-max=200 --quiet-tftp --listen-address="$SIP" --bind-interfaces --pid-file= --conf-file=/dev/null

# Ready = a small file comes back.
for s in $SERVERS; do
  for i in $(seq 1 120); do
    "${INC[@]}" timeout 2 curl -s -o "$OUT/ready" "tftp://$SIP:${PORT[$s]}/small.img" 2>/dev/null && break
    sleep 0.5
    [[ $i = 120 ]] && { cat "$WORK/$s.log" >&2; die "$s did not serve within 60 s"; }
  done
done

# Warm-up, unmeasured and the same for every server: a few downloads of each kind, so Bifrost's JIT (tier 0, then
# tier 1 after enough calls and loop iterations) is not what gets timed. One download each was not enough: the server
# CPU of 100 parallel downloads went 1140 → 610 ms over the first eight rounds.
warm_up() {  # server
  local s=$1 i
  "${INC[@]}" atftp --option "blksize 1468" --option "windowsize 16" -g -r big.img -l "$OUT/warm" "$SIP" "${PORT[$s]}" >/dev/null 2>&1 || true
  "${INC[@]}" tftp "$SIP" "${PORT[$s]}" -m binary -c get small.img "$OUT/warm" >/dev/null 2>&1 || true
  for i in 1 2 3 4 5; do parallel_one "$s" >/dev/null; done
}

now() { date +%s.%N; }
TICKS=$(getconf CLK_TCK)
cpu_ms() {  # server: CPU time (user + system, all threads) the server process has used so far, in ms
  awk -v t="$TICKS" '{ sub(/^.*\) /, ""); printf "%d\n", ($12 + $13) * 1000 / t }' "/proc/$(cat "$WORK/$1.pid")/stat"
}
# One measurement: client command in the client namespace, returns seconds; checks the file is byte-identical.
measure() {  # server kind
  local s=$1 kind=$2 t0 t1 out=$OUT/$1-$2
  rm -f "$out"
  t0=$(now)
  case $kind in
    window) "${INC[@]}" atftp --option "blksize 1468" --option "windowsize 16" -g -r big.img -l "$out" "$SIP" "${PORT[$s]}" >/dev/null 2>&1 ;;
    plain)  "${INC[@]}" tftp "$SIP" "${PORT[$s]}" -m binary -c get big.img "$out" >/dev/null 2>&1 ;;
  esac
  t1=$(now)
  cmp -s "$out" "$ROOT/big.img" || die "$s $kind: the downloaded file differs"
  echo "$t0 $t1" | awk -v mb="$SIZE_MB" '{ printf "%.1f\n", mb * 1.048576 / ($2 - $1) }'
}
parallel() {  # server: PARALLEL curl downloads at once, aggregate MB/s
  local s=$1 t0 t1 i
  rm -f "$OUT"/p-*
  t0=$(now)
  for i in $(seq 1 "$PARALLEL"); do
    "${INC[@]}" curl -s --tftp-blksize 1468 -o "$OUT/p-$i" "tftp://$SIP:${PORT[$s]}/small.img" &
  done
  wait
  t1=$(now)
  for i in $(seq 1 "$PARALLEL"); do cmp -s "$OUT/p-$i" "$ROOT/small.img" || die "$s parallel: download $i differs"; done
  echo "$t0 $t1" | awk -v mb="$((PARALLEL * PARALLEL_MB))" '{ printf "%.1f\n", mb * 1.048576 / ($2 - $1) }'
}
# The same PARALLEL downloads from one curl process (--parallel): the clients' own cost (100 processes, each started
# through ip netns exec) mostly leaves the measurement, so it shows more of the servers' own cost.
parallel_one() {  # server: aggregate MB/s
  local s=$1 t0 t1 i args=()
  rm -f "$OUT"/q-*
  for i in $(seq 1 "$PARALLEL"); do args+=(-o "$OUT/q-$i" "tftp://$SIP:${PORT[$s]}/small.img"); done
  t0=$(now)
  "${INC[@]}" curl -s --no-progress-meter --max-time 60 --parallel --parallel-immediate --parallel-max "$PARALLEL" --tftp-blksize 1468 "${args[@]}" \
    || die "$s parallel (one curl): curl failed"
  t1=$(now)
  for i in $(seq 1 "$PARALLEL"); do cmp -s "$OUT/q-$i" "$ROOT/small.img" || die "$s parallel (one curl): download $i differs"; done
  echo "$t0 $t1" | awk -v mb="$((PARALLEL * PARALLEL_MB))" '{ printf "%.1f\n", mb * 1.048576 / ($2 - $1) }'
}
for s in $SERVERS; do warm_up "$s"; done
stats() { sort -n | awk '{ v[NR] = $1 } END { printf "%s %s\n", v[NR], v[int((NR + 1) / 2)] }'; }  # best median

# Servers take turns within each round (not one server's runs back to back), so a burst of load from other
# processes on a shared machine falls on all of them alike.
declare -A BEST MED RES CPU CPUMED
KINDS=${KINDS:-window plain parallel parallel1}
for kind in $KINDS; do
  for r in $(seq 1 "$RUNS"); do
    for s in $SERVERS; do
      c0=$(cpu_ms "$s")
      case $kind in
        parallel) v=$(parallel "$s") ;;
        parallel1) v=$(parallel_one "$s") ;;
        *) v=$(measure "$s" "$kind") ;;
      esac
      c=$(( $(cpu_ms "$s") - c0 ))
      RES[$s.$kind]+="$v " CPU[$s.$kind]+="$c "
      log "$kind $s run $r: $v MB/s, server CPU $c ms"
    done
  done
  for s in $SERVERS; do
    read -r BEST[$s.$kind] MED[$s.$kind] < <(printf '%s\n' ${RES[$s.$kind]} | stats)
    read -r _ CPUMED[$s.$kind] < <(printf '%s\n' ${CPU[$s.$kind]} | stats)
  done
done

LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f×", a / b; else print "-" }'; }
table() {
  echo "| measurement (MB/s, best / median of $RUNS) | ${SERVERS// / | } | Bifrost ÷ atftpd | Bifrost ÷ dnsmasq |"
  echo "|---|$(for s in $SERVERS; do printf -- '---|'; done)---|---|"
  for kind in $KINDS; do
    case $kind in
      window) label="${SIZE_MB} MiB, atftp blksize 1468 windowsize 16" ;;
      plain) label="${SIZE_MB} MiB, tftp-hpa 512-byte blocks" ;;
      parallel) label="$PARALLEL × ${PARALLEL_MB} MiB at once, curl blksize 1468 (aggregate)" ;;
      parallel1) label="$PARALLEL × ${PARALLEL_MB} MiB at once from one \`curl --parallel\`, blksize 1468 (aggregate)" ;;
    esac
    row="| $label |"
    for s in $SERVERS; do row+=" ${BEST[$s.$kind]} / ${MED[$s.$kind]} |"; done
    row+=" $(ratio "${MED[bifrost.$kind]:-0}" "${MED[atftpd.$kind]:-0}") | $(ratio "${MED[bifrost.$kind]:-0}" "${MED[dnsmasq.$kind]:-0}") |"
    echo "$row"
  done
  echo
  echo "| server CPU per measurement (ms, user + system, median of $RUNS) | ${SERVERS// / | } |"
  echo "|---|$(for s in $SERVERS; do printf -- '---|'; done)"
  for kind in $KINDS; do
    row="| $kind |"
    for s in $SERVERS; do row+=" ${CPUMED[$s.$kind]} |"; done
    echo "$row"
  done
}
REPORT=$(table)
echo "$REPORT"
if [[ -n $RESULTS_FILE ]]; then
  {
    echo
    echo "## TFTP: Bifrost vs atftpd vs dnsmasq ($(date -u '+%Y-%m-%d %H:%M UTC'))"
    echo
    echo "Command: \`bash bench/tftp/run.sh\` (SIZE_MB=$SIZE_MB RUNS=$RUNS PARALLEL=$PARALLEL). Lab: **$MODE** (server $SIP, MTU $MTU),"
    echo "Bifrost Release build, \`Bifrost:Tftp:Listen=$SIP:${PORT[bifrost]}\`. Load average at the end: $LOAD on $(nproc) CPUs."
    echo "Ratios use the medians. Every download was checked byte for byte."
    echo
    echo "$REPORT"
  } >> "$RESULTS_FILE"
  log "appended to $RESULTS_FILE"
fi

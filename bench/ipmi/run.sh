#!/usr/bin/env bash
# IPMI benchmark: N ipmi_sim BMCs on loopback (default 50), "power status of every BMC", repeated for DURATION
# seconds (default 15) by three clients in the same run:
#   1. Bifrost's own RMCP+ client (bench/ipmi/IpmiBench, default settings, sessions kept open),
#   2. freeipmi `ipmipower -D LAN_2_0 -W opensesspriv --stat` fanned out to all N at once (new session per query),
#   3. an `ipmitool -I lanplus -C 3 chassis power status` loop over the N BMCs (new process + session per query).
# Appends a section with queries/s and the ratios to bench/RESULTS.md (RESULTS=0 to skip).
#   bash bench/ipmi/run.sh            N=50 DURATION=15
set -euo pipefail
N=${N:-50}
DURATION=${DURATION:-15}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/bifrost-bench-ipmi-XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

for cmd in ipmi_sim ipmipower ipmitool dotnet python3; do
  command -v "$cmd" >/dev/null || { echo "missing $cmd (packages: openipmi freeipmi-tools ipmitool)" >&2; exit 1; }
done

echo "building IpmiBench (Release)..."
dotnet build -c Release -nologo -v quiet "$root/bench/ipmi/IpmiBench" -o "$work/bench" >/dev/null

cat > "$work/chassis.sh" <<'SH'
#!/bin/sh
dir=$1; shift; cmd=$1; shift
case "$cmd" in
  get) for v in "$@"; do [ "$v" = power ] && echo "power:$(cat "$dir/power" 2>/dev/null || echo 0)"; done ;;
  set) while [ $# -gt 1 ]; do [ "$1" = power ] && echo "$2" > "$dir/power"; shift 2; done ;;
esac
exit 0
SH
chmod +x "$work/chassis.sh"
ports=$(python3 -c "
import socket
socks=[socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range($N)]
for s in socks: s.bind(('127.0.0.1', 0))
print(' '.join(str(s.getsockname()[1]) for s in socks))")
hosts=()
i=0
for port in $ports; do
  d="$work/bmc$i"; mkdir -p "$d/state"
  cat > "$d/lan.conf" <<CONF
name "bench$i"
set_working_mc 0x20
  startlan 1
    addr 127.0.0.1 $port
    priv_limit admin
    allowed_auths_callback md5 straight
    allowed_auths_user md5 straight
    allowed_auths_operator md5 straight
    allowed_auths_admin md5 straight
    guid 00000000000000000000000000000001
  endlan
  chassis_control "$work/chassis.sh $d"
  user 2 true "admin" "password" admin 10 md5 straight
CONF
  printf 'mc_setbmc 0x20\nmc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr\nsel_enable 0x20 1000 0x0a\nmc_enable 0x20\n' > "$d/bmc.emu"
  (cd "$d" && exec ipmi_sim -n -c lan.conf -f bmc.emu -s state </dev/null >/dev/null 2>&1) &
  pids+=($!)
  hosts+=("127.0.0.1:$port")
  i=$((i + 1))
done
sleep 3
echo "$N ipmi_sim BMCs up"

now() { date +%s.%N; }

# 1. Bifrost
bifrost_line=$(dotnet "$work/bench/IpmiBench.dll" "$DURATION" admin password "${hosts[@]}")
echo "$bifrost_line"
bifrost_qps=$(sed -n 's/.* qps=\([0-9]*\).*/\1/p' <<<"$bifrost_line")

# 2. ipmipower fan-out: one invocation asks all N; repeat for DURATION.
hostlist=$(IFS=,; echo "${hosts[*]}")
ok=0; start=$(now)
while python3 -c "import sys; sys.exit(0 if $(now) - $start < $DURATION else 1)"; do
  n=$(ipmipower -D LAN_2_0 -W opensesspriv --stat -F "$N" -h "$hostlist" -u admin -p password 2>/dev/null | grep -c -E ': (on|off)$' || true)
  ok=$((ok + n))
done
end=$(now)
ipmipower_qps=$(python3 -c "print(round($ok / ($end - $start)))")
echo "ipmipower queries=$ok qps=$ipmipower_qps"

# 3. ipmitool loop, one BMC after the other.
ok=0; start=$(now)
while python3 -c "import sys; sys.exit(0 if $(now) - $start < $DURATION else 1)"; do
  for h in "${hosts[@]}"; do
    ipmitool -I lanplus -C 3 -H "${h%:*}" -p "${h##*:}" -U admin -P password chassis power status >/dev/null 2>&1 && ok=$((ok + 1))
  done
done
end=$(now)
ipmitool_qps=$(python3 -c "print(round($ok / ($end - $start)))")
echo "ipmitool queries=$ok qps=$ipmitool_qps"

r1=$(python3 -c "print(f'{$bifrost_qps / max($ipmipower_qps, 1):.1f}')")
r2=$(python3 -c "print(f'{$bifrost_qps / max($ipmitool_qps, 1):.1f}')")
echo "bifrost/ipmipower = ${r1}x   bifrost/ipmitool = ${r2}x"

if [ "${RESULTS:-1}" = 1 ]; then
  cat >> "$root/bench/RESULTS.md" <<MD

## IPMI: Bifrost's RMCP+ client vs. ipmipower vs. ipmitool, $(date -u '+%Y-%m-%d %H:%M') UTC

- Command: \`bash bench/ipmi/run.sh\` (N=$N ipmi_sim BMCs on 127.0.0.1, DURATION=${DURATION}s per client, power status of every BMC, repeated)
- Machine: $(nproc) CPUs, load average at the end $(cut -d' ' -f1-3 /proc/loadavg) — shared with other engineers' builds and tests, so absolute numbers are noisy; the three clients ran back to back in one run.
- Versions: ipmi_sim $(dpkg-query -W -f='${Version}' openipmi 2>/dev/null), freeipmi $(dpkg-query -W -f='${Version}' freeipmi-tools 2>/dev/null), ipmitool $(dpkg-query -W -f='${Version}' ipmitool 2>/dev/null), Bifrost at git $(git -C "$root" rev-parse --short HEAD).

| client | queries/s | Bifrost is |
|---|---|---|
| Bifrost IpmiClient (sessions kept open, default MinCommandInterval 20 ms/BMC, suite 3) | $bifrost_qps | |
| \`ipmipower -D LAN_2_0 -W opensesspriv --stat -F $N\` (new session per query) | $ipmipower_qps | ${r1}x |
| \`ipmitool -I lanplus -C 3 chassis power status\` loop | $ipmitool_qps | ${r2}x |

Bifrost: \`$bifrost_line\`
MD
  echo "appended to bench/RESULTS.md"
fi

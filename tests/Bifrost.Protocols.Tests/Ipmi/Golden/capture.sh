#!/usr/bin/env bash
# Regenerates the golden bytes: the real ipmitool (-I lanplus -C 3, user admin/password) talking to the real ipmi_sim
# on loopback, captured with tshark. Output: ipmitool-C3.txt, one datagram per line: "<c2b|b2c> <hex UDP payload>",
# in capture order, with a "# command" line before each ipmitool run. Needs root (tshark on lo), ipmi_sim, ipmitool.
#   tests/Bifrost.Protocols.Tests/Ipmi/Golden/capture.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/bifrost-golden-XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sim_pid=""; tshark_pid=""
cleanup() { [ -n "$tshark_pid" ] && kill "$tshark_pid" 2>/dev/null; [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

cat > "$work/chassis.sh" <<'SH'
#!/bin/sh
dir=$1; shift; cmd=$1; shift
case "$cmd" in
  get) for v in "$@"; do [ "$v" = power ] && echo "power:$(cat "$dir/power" 2>/dev/null || echo 0)"
                         [ "$v" = boot ] && echo "boot:$(cat "$dir/boot" 2>/dev/null || echo default)"; done ;;
  set) while [ $# -gt 1 ]; do case "$1" in power) echo "$2" > "$dir/power" ;; boot) echo "$2" > "$dir/boot" ;; esac; shift 2; done ;;
esac
exit 0
SH
chmod +x "$work/chassis.sh"
cat > "$work/lan.conf" <<CONF
name "golden"
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
  chassis_control "$work/chassis.sh $work"
  user 2 true "admin" "password" admin 10 md5 straight
CONF
printf 'mc_setbmc 0x20\nmc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr\nsel_enable 0x20 1000 0x0a\nmc_enable 0x20\n' > "$work/bmc.emu"
mkdir "$work/state"
(cd "$work" && exec ipmi_sim -n -c lan.conf -f bmc.emu -s state </dev/null >/dev/null 2>&1) & sim_pid=$!
tshark -i lo -f "udp port $port" -w "$work/cap.pcap" >"$work/tshark.log" 2>&1 & tshark_pid=$!
# tshark takes seconds to start on a busy machine: wait for it to say so, or the first datagrams are lost.
for _ in $(seq 1 100); do grep -q "Capture started" "$work/tshark.log" && break; sleep 0.2; done
sleep 1

out="$here/ipmitool-C3.txt"
{
  echo "# ipmitool -I lanplus -C 3 -U admin -P password against ipmi_sim (OpenIPMI), captured by capture.sh; port $port"
} > "$out"
run() { ipmitool -I lanplus -C 3 -H 127.0.0.1 -p "$port" -U admin -P password "$@" >/dev/null 2>&1 || true; sleep 0.3; }
run chassis power status
run chassis bootdev pxe options=persistent,efiboot
sleep 1
kill "$tshark_pid"; wait "$tshark_pid" 2>/dev/null || true; tshark_pid=""
tshark -r "$work/cap.pcap" -T fields -e udp.srcport -e udp.payload 2>/dev/null \
  | awk -v p="$port" '{ print (($1 == p) ? "b2c " : "c2b ") $2 }' >> "$out"
echo "wrote $(grep -c '^[cb]2' "$out" || true) datagrams to $out"

#!/usr/bin/env bash
# The virtual rack: a real Bifrost deploying real (virtual) machines, with no hardware. As root on Debian 12 + .NET SDK.
#
#   packaging/lab/lab.sh up [--nodes N] [--ghosts M] [--no-enroll] [--ramdisk DIR] [--bifrost CMD] [--set Key=Value]…
#   packaging/lab/lab.sh status                   what runs, the nodes and their states
#   packaging/lab/lab.sh demo [NODE]              enroll → manage → inspect → provide → deploy a marker image → active
#   packaging/lab/lab.sh baremetal ARGS…          the real Ironic client against the lab's Bifrost
#   packaging/lab/lab.sh exec CMD…                any command inside the lab's network namespace (ipmitool, curl, …)
#   packaging/lab/lab.sh bifrost start|stop|kill  the lab's Bifrost (kill = SIGKILL, as a crash)
#   packaging/lab/lab.sh power NODE on|off        the VM behind a node's BMC, bypassing Bifrost (as a person at the rack)
#   packaging/lab/lab.sh down [--keep-files]      stops exactly what 'up' started, deletes the namespace (and the files)
#   packaging/lab/lab.sh marker-image UUID OUT [MiB]   a bootable raw disk image that prints "BIFROST-MARKER UUID" on COM1
# Every command takes --dir DIR (default $BIFROST_LAB_DIR, else /var/tmp/bifrost-lab): one lab per directory.
#
# Layout (../shared LAB.md): network namespace NS (recorded in DIR/lab.env) with bridge br0 = PREFIX.1/24, STP off —
# never in the root namespace, whose br_netfilter would filter it. Per node: an ipmi_sim BMC on 127.0.1.<i>:623 inside
# NS whose chassis_control is this script ("lab.sh chassis NODEDIR …"): power on starts a QEMU VM (TCG, q35, 2 vCPUs,
# 512 MiB, serial appended to NODEDIR/serial.log, virtio NIC on tap<i> of br0 booting PXE first, virtio disk = sparse
# raw NODEDIR/disk.img of 5 GiB so Ironic's root-device rule — smallest disk ≥ 4 GiB — picks it); get power asks
# whether that QEMU pid is alive. A ghost node has a BMC whose chassis only keeps a power-state file: it never boots,
# so its agent never calls back (timeout tests). Bifrost runs inside NS: DHCP (full mode) on br0, TFTP and HTTP boot
# on PREFIX.1, API on 0.0.0.0:6385 of the namespace (no auth: nothing outside the namespace reaches it).
# Every PID is recorded with its start time (NAME.pid = "PID STARTTIME"); 'down' signals only processes that still
# match, then deletes the namespace.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
self="$here/$(basename "${BASH_SOURCE[0]}")"
repo=$(cd "$here/../.." && pwd)
lab_dir=${BIFROST_LAB_DIR:-/var/tmp/bifrost-lab}
api_port=6385
boot_port=8080
vm_cpus=2
vm_memory_mb=512
disk_size=5G

die() { echo "lab: $*" >&2; exit 1; }
say() { echo "lab: $*" >&2; }

# ---------------------------------------------------------------------------------------------------------- processes
# "PID STARTTIME" (field 22 of /proc/PID/stat): a recorded PID is ours only while both still match.
start_time() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20; }
record_pid() { echo "$2 $(start_time "$2")" > "$1"; }
# Prints the PID recorded in file $1 when that process is still the one recorded; fails otherwise.
live_pid() {
  [ -s "$1" ] || return 1
  local pid start
  read -r pid start < "$1" || true
  [ -n "${pid:-}" ] && [ -d "/proc/$pid" ] || return 1
  [ -z "${start:-}" ] || [ "$(start_time "$pid")" = "$start" ] || return 1
  echo "$pid"
}
# TERM, up to $2 seconds (default 10), then KILL; removes the pid file.
stop_pid() {
  local pid i
  if pid=$(live_pid "$1"); then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < ${2:-10} * 10; i++)); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
    if live_pid "$1" >/dev/null; then kill -KILL "$pid" 2>/dev/null || true; sleep 0.2; fi
  fi
  rm -f "$1"
}
# Waits up to $1 seconds for the file $2 to exist and be non-empty.
wait_file() { local i; for ((i = 0; i < $1 * 10; i++)); do [ -s "$2" ] && return 0; sleep 0.1; done; return 1; }

load_lab() {
  [ -f "$lab_dir/lab.env" ] || die "no lab in $lab_dir (run: $0 up)"
  # shellcheck disable=SC1091
  . "$lab_dir/lab.env"
}
in_ns() { ip netns exec "$NS" "$@"; }
ns_exists() { ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$1"; }

# ------------------------------------------------------------------------------------------------------------- chassis
# ipmi_sim runs "lab.sh chassis NODEDIR get power boot …" (prints name:value lines) and "… set power 1", "set reset 1",
# "set shutdown 1", "set boot pxe", "set identify 15 0" (LAB.md). It runs inside the namespace, so QEMU does too,
# where its tap is.
vm_start() {
  local d=$1
  # shellcheck disable=SC1091
  . "$d/node.env"
  live_pid "$d/qemu.pid" >/dev/null && return 0
  rm -f "$d/qemu.pid"
  # -nographic, not -daemonize (they exclude each other): it is what makes SeaBIOS and iPXE print on the serial port.
  # The serial log is appended across power cycles, so one file tells the node's story.
  setsid qemu-system-x86_64 -name "$NAME" -machine q35,accel=tcg -smp "$CPUS" -m "$MEMORY_MB" \
    -nographic -monitor none \
    -chardev "file,id=s0,path=$d/serial.log,append=on" -serial chardev:s0 \
    -drive "file=$d/disk.img,format=raw,if=none,id=d0" -device virtio-blk-pci,drive=d0,bootindex=2 \
    -netdev "tap,id=n0,ifname=$TAP,script=no,downscript=no" -device "virtio-net-pci,netdev=n0,mac=$MAC,bootindex=1" \
    -pidfile "$d/qemu.pid.tmp" >> "$d/qemu.out" 2>&1 < /dev/null &
  wait_file 10 "$d/qemu.pid.tmp" || { echo "qemu did not start" >> "$d/qemu.out"; return 1; }
  record_pid "$d/qemu.pid" "$(cat "$d/qemu.pid.tmp")"
  rm -f "$d/qemu.pid.tmp"
  echo "$(date -u +%FT%T.%3NZ) power on (qemu $(cut -d' ' -f1 "$d/qemu.pid"))" >> "$d/power.log"
}
vm_stop() {
  if live_pid "$1/qemu.pid" >/dev/null; then
    stop_pid "$1/qemu.pid" 5
    echo "$(date -u +%FT%T.%3NZ) power off" >> "$1/power.log"
  fi
  rm -f "$1/qemu.pid"
}
power_of() {
  # shellcheck disable=SC1091
  . "$1/node.env"
  if [ "$KIND" = vm ]; then live_pid "$1/qemu.pid" >/dev/null && echo 1 || echo 0
  else cat "$1/power" 2>/dev/null || echo 0; fi
}
set_power() {
  # shellcheck disable=SC1091
  . "$1/node.env"
  if [ "$KIND" = vm ]; then
    if [ "$2" = 1 ]; then vm_start "$1"; else vm_stop "$1"; fi
  else
    echo "$2" > "$1/power"
  fi
}
cmd_chassis() {
  local d=$1; shift
  echo "$*" >> "$d/calls.log"
  local verb=$1; shift
  case "$verb" in
    get)
      for v in "$@"; do
        case "$v" in
          power) echo "power:$(power_of "$d")" ;;
          boot) echo "boot:$(cat "$d/boot" 2>/dev/null || echo default)" ;;
        esac
      done ;;
    set)
      while [ $# -gt 1 ]; do
        case "$1" in
          power) set_power "$d" "$2" ;;
          # A reset restarts a running machine; a machine that is off stays off (as a real chassis).
          reset) [ "$2" = 1 ] && [ "$(power_of "$d")" = 1 ] && { set_power "$d" 0; set_power "$d" 1; } ;;
          shutdown) [ "$2" = 1 ] && set_power "$d" 0 ;;
          # The VM always tries its NIC first (the boot planner sends an active node to its disk); the device the
          # BMC was told is kept for inspection.
          boot) echo "$2" > "$d/boot" ;;
        esac
        shift 2
      done ;;
  esac
  return 0
}

# ------------------------------------------------------------------------------------------------------------ install
need() { # need COMMAND DEBIAN-PACKAGE
  command -v "$1" >/dev/null 2>&1 || missing+=("$2")
}
install_peers() {
  missing=()
  need ip iproute2; need qemu-system-x86_64 qemu-system-x86; need qemu-img qemu-utils; need ipmi_sim openipmi
  need ipmitool ipmitool; need baremetal python3-ironicclient; need curl curl
  [ -e /usr/lib/ipxe/qemu/pxe-virtio.rom ] || missing+=(ipxe-qemu)
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "could not install ${missing[*]}"
}

# ------------------------------------------------------------------------------------------------------------- bifrost
bifrost_start() {
  load_lab
  live_pid "$lab_dir/bifrost.pid" >/dev/null && { say "bifrost already runs"; return 0; }
  rm -f "$lab_dir/bifrost.pid"
  # shellcheck disable=SC2086
  (
    set -a
    # shellcheck disable=SC1091
    . "$lab_dir/bifrost.env"
    set +a
    cd "$lab_dir"
    # ip netns exec may fork: the shell records its own PID, then becomes Bifrost.
    exec ip netns exec "$NS" setsid sh -c 'echo $$ > "$0"; exec "$@"' "$lab_dir/bifrost.pid.tmp" \
      $BIFROST_CMD serve --config "$lab_dir/appsettings.json" >> "$lab_dir/bifrost.log" 2>&1 < /dev/null
  ) &
  wait_file 20 "$lab_dir/bifrost.pid.tmp" || die "bifrost did not start (see $lab_dir/bifrost.log)"
  record_pid "$lab_dir/bifrost.pid" "$(cat "$lab_dir/bifrost.pid.tmp")"
  rm -f "$lab_dir/bifrost.pid.tmp"
  local i
  for ((i = 0; i < 1200; i++)); do
    live_pid "$lab_dir/bifrost.pid" >/dev/null || die "bifrost exited: $(tail -n 20 "$lab_dir/bifrost.log")"
    in_ns curl -sf -o /dev/null "http://127.0.0.1:$api_port/v1" && { say "bifrost is up (API http://$PREFIX.1:$api_port)"; return 0; }
    sleep 0.1
  done
  die "bifrost did not answer within 120 s (see $lab_dir/bifrost.log)"
}
cmd_bifrost() {
  load_lab
  case "${1:-}" in
    start) bifrost_start ;;
    stop) stop_pid "$lab_dir/bifrost.pid" 30 ;;
    kill) if pid=$(live_pid "$lab_dir/bifrost.pid"); then kill -KILL "$pid"; sleep 0.2; fi; rm -f "$lab_dir/bifrost.pid" ;;
    *) die "usage: $0 bifrost start|stop|kill" ;;
  esac
}

# The command that runs Bifrost: the repository's build when run from a checkout, else an installed bifrost.
resolve_bifrost() {
  if [ -n "${bifrost_cmd:-}" ]; then echo "$bifrost_cmd"; return; fi
  if [ -d "$repo/src/Bifrost.Host" ] && command -v dotnet >/dev/null; then
    say "building Bifrost (dotnet build src/Bifrost.Host → $lab_dir/build)"
    dotnet build "$repo/src/Bifrost.Host" -nologo -v quiet -c Release -o "$lab_dir/build" >&2 || die "build failed"
    echo "dotnet $lab_dir/build/bifrost.dll"
  elif command -v bifrost >/dev/null; then
    command -v bifrost
  else
    die "no Bifrost: run from a repository checkout with the .NET SDK, install the package, or pass --bifrost CMD"
  fi
}

# The deploy ramdisk: reused from DIR when both files are there, else built into DIR (packaging/ramdisk/build.sh).
provide_ramdisk() {
  local dir=$1 out="$lab_dir/state/ramdisk"
  mkdir -p "$dir" "$out"
  if [ ! -s "$dir/bifrost-agent.kernel" ] || [ ! -s "$dir/bifrost-agent.initramfs" ]; then
    if [ -f "$repo/packaging/ramdisk/build.sh" ]; then
      say "building the deploy ramdisk into $dir (packaging/ramdisk/build.sh)"
      bash "$repo/packaging/ramdisk/build.sh" --output "$dir" >&2 || die "ramdisk build failed"
    else
      say "warning: no deploy ramdisk in $dir and no packaging/ramdisk/build.sh: nodes boot to an error script"
      return 0
    fi
  fi
  cp "$dir/bifrost-agent.kernel" "$dir/bifrost-agent.initramfs" "$out/"
}

# ------------------------------------------------------------------------------------------------------------------ up
bmc_conf() { # NODEDIR ADDRESS
  cat > "$1/lan.conf" <<EOF
name "$(basename "$1")"
set_working_mc 0x20
  startlan 1
    addr $2 623
    priv_limit admin
    allowed_auths_callback md5 straight
    allowed_auths_user md5 straight
    allowed_auths_operator md5 straight
    allowed_auths_admin md5 straight
    guid 00000000000000000000000000000001
  endlan
  chassis_control "$self chassis $1"
  user 2 true "admin" "password" admin 10 md5 straight
EOF
  printf 'mc_setbmc 0x20\nmc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr\nsel_enable 0x20 1000 0x0a\nmc_enable 0x20\n' > "$1/bmc.emu"
}

add_node() { # KIND INDEX
  local kind=$1 i=$2 name d mac address
  if [ "$kind" = vm ]; then name="node-$i"; mac=$(printf '52:54:00:1a:b0:%02x' "$i")
  else name="ghost-$i"; mac=$(printf '52:54:00:1a:b1:%02x' "$i"); fi
  d="$lab_dir/nodes/$name"
  [ "$kind" = vm ] && address="127.0.1.$i" || address="127.0.1.$((100 + i))"
  mkdir -p "$d/ipmi-state"
  cat > "$d/node.env" <<EOF
NAME=$name
KIND=$kind
MAC=$mac
TAP=tap$i
BMC_ADDRESS=$address
BMC_PORT=623
BMC_USER=admin
BMC_PASSWORD=password
CPUS=$vm_cpus
MEMORY_MB=$vm_memory_mb
DISK=$d/disk.img
SERIAL=$d/serial.log
EOF
  echo 0 > "$d/power"
  if [ "$kind" = vm ]; then
    truncate -s "$disk_size" "$d/disk.img"
    in_ns ip tuntap add dev "tap$i" mode tap
    in_ns ip link set "tap$i" master br0 up
  fi
  bmc_conf "$d" "$address"
  (
    cd "$d"
    exec ip netns exec "$NS" sh -c 'echo $$ > "$0"; exec ipmi_sim -n -c "$1/lan.conf" -f "$1/bmc.emu" -s "$1/ipmi-state"' \
      "$d/ipmi_sim.pid.tmp" "$d" >> "$d/ipmi_sim.log" 2>&1 < /dev/null
  ) &
  wait_file 10 "$d/ipmi_sim.pid.tmp" || die "ipmi_sim of $name did not start"
  record_pid "$d/ipmi_sim.pid" "$(cat "$d/ipmi_sim.pid.tmp")"
  rm -f "$d/ipmi_sim.pid.tmp"
  local n
  for ((n = 0; n < 50; n++)); do
    in_ns ipmitool -I lanplus -C 3 -H "$address" -p 623 -U admin -P password power status >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  die "the BMC of $name ($address:623) does not answer (see $d/ipmi_sim.log)"
}

enroll() { # NODEDIR
  # shellcheck disable=SC1091
  . "$1/node.env"
  local uuid
  uuid=$(cmd_baremetal node create --driver ipmi --name "$NAME" \
    --driver-info "ipmi_address=$BMC_ADDRESS" --driver-info "ipmi_port=$BMC_PORT" \
    --driver-info "ipmi_username=$BMC_USER" --driver-info "ipmi_password=$BMC_PASSWORD" \
    --property capabilities=boot_mode:bios -f value -c uuid) || die "could not enroll $NAME"
  cmd_baremetal port create "$MAC" --node "$uuid" -f value -c uuid >/dev/null || die "could not create the port of $NAME"
  echo "UUID=$uuid" >> "$1/node.env"
  say "enrolled $NAME ($uuid): BMC $BMC_ADDRESS:$BMC_PORT, port $MAC"
}

cmd_up() {
  local nodes=1 ghosts=0 do_enroll=1 ramdisk_dir=/var/cache/bifrost-lab/ramdisk prefix=10.80.0 sets=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --nodes) nodes=$2; shift ;;
      --ghosts) ghosts=$2; shift ;;
      --no-enroll) do_enroll=0 ;;
      --ramdisk) ramdisk_dir=$2; shift ;;
      --bifrost) bifrost_cmd=$2; shift ;;
      --prefix) prefix=$2; shift ;;
      --set) sets+=("$2"); shift ;;
      *) die "up: unknown option $1" ;;
    esac
    shift
  done
  [ "$(id -u)" = 0 ] || die "the lab needs root (network namespaces, taps)"
  [[ $nodes =~ ^[0-9]+$ && $ghosts =~ ^[0-9]+$ && $nodes -le 50 && $ghosts -le 50 ]] || die "--nodes/--ghosts: 0-50"
  if [ -f "$lab_dir/lab.env" ]; then
    (load_lab; ns_exists "$NS") && die "a lab is already up in $lab_dir (run: $0 down)"
    rm -rf "$lab_dir"
  fi
  install_peers
  mkdir -p "$lab_dir/nodes" "$lab_dir/state"
  lab_dir=$(cd "$lab_dir" && pwd)
  local cmd ns="bflab-$$"
  cmd=$(resolve_bifrost)
  # Recorded before anything is made, so 'down' can clean up a half-made lab.
  printf 'NS=%s\nPREFIX=%s\nBIFROST_CMD=%q\n' "$ns" "$prefix" "$cmd" > "$lab_dir/lab.env"
  load_lab
  # Whatever fails from here on (die, or a command under set -e), what was made so far is removed again.
  trap 'rc=$?; if [ $rc != 0 ]; then say "up failed; cleaning up"; cmd_down --keep-files; fi; exit $rc' EXIT

  ip netns add "$NS"
  in_ns ip link set lo up
  in_ns ip link add br0 type bridge stp_state 0 forward_delay 0
  in_ns ip addr add "$PREFIX.1/24" dev br0
  in_ns ip link set br0 up

  local i
  for ((i = 1; i <= nodes; i++)); do add_node vm "$i"; done
  for ((i = 1; i <= ghosts; i++)); do add_node ghost "$i"; done

  provide_ramdisk "$ramdisk_dir"
  echo '{ "Bifrost": {} }' > "$lab_dir/appsettings.json"
  {
    echo "Bifrost__StateDir=$lab_dir/state"
    echo "Bifrost__Api__Listen=0.0.0.0:$api_port"
    echo "Bifrost__Api__AllowInsecureNoAuth=true"
    echo "Bifrost__Dhcp__Mode=full"
    echo "Bifrost__Dhcp__Interface=br0"
    echo "Bifrost__Dhcp__Subnet=$PREFIX.0/24"
    echo "Bifrost__Dhcp__RangeStart=$PREFIX.100"
    echo "Bifrost__Dhcp__RangeEnd=$PREFIX.199"
    echo "Bifrost__Tftp__Listen=$PREFIX.1:69"
    echo "Bifrost__Boot__Listen=$PREFIX.1:$boot_port"
    # no_timer_check: on a loaded host a TCG guest can fail the kernel's IO-APIC timer check and panic.
    echo "Bifrost__Boot__KernelArgs='console=ttyS0 no_timer_check'"
    echo "Bifrost__Conductor__DefaultBootMode=bios"
    local kv
    for kv in "${sets[@]}"; do
      [[ $kv == *=* ]] || die "--set $kv: expected Key=Value (e.g. Conductor:DeployCallbackTimeout=60)"
      printf 'Bifrost__%s=%q\n' "$(echo "${kv%%=*}" | sed 's/:/__/g')" "${kv#*=}"
    done
  } > "$lab_dir/bifrost.env"
  bifrost_start
  if [ $do_enroll = 1 ]; then
    for d in "$lab_dir"/nodes/*/; do enroll "${d%/}"; done
  fi
  trap - EXIT
  cmd_status
}

# ---------------------------------------------------------------------------------------------------------------- down
cmd_down() {
  local keep=0
  [ "${1:-}" = --keep-files ] && keep=1
  [ -f "$lab_dir/lab.env" ] || { say "no lab in $lab_dir"; return 0; }
  load_lab
  stop_pid "$lab_dir/bifrost.pid" 20
  local d
  for d in "$lab_dir"/nodes/*/; do
    [ -d "$d" ] || continue
    d=${d%/}
    stop_pid "$d/ipmi_sim.pid" 5
    vm_stop "$d"
  done
  # Deleting the namespace removes the bridge and the taps with it.
  if ns_exists "$NS"; then ip netns del "$NS"; fi
  if [ $keep = 1 ]; then rm -f "$lab_dir/lab.env"; say "down; files kept in $lab_dir"
  else rm -rf "$lab_dir"; say "down"; fi
}

# -------------------------------------------------------------------------------------------------------------- status
cmd_status() {
  load_lab
  local pid
  echo "lab $lab_dir: namespace $NS ($(ns_exists "$NS" && echo present || echo MISSING)), bridge br0 $PREFIX.1/24"
  if pid=$(live_pid "$lab_dir/bifrost.pid"); then
    echo "bifrost: pid $pid, API http://$PREFIX.1:$api_port (in the namespace), log $lab_dir/bifrost.log"
  else
    echo "bifrost: not running"
  fi
  printf '%-9s %-6s %-17s %-15s %-5s %-36s %s\n' NODE KIND MAC BMC POWER UUID SERIAL
  local d
  for d in "$lab_dir"/nodes/*/; do
    [ -f "$d/node.env" ] || continue
    d=${d%/}
    (
      UUID=-
      # shellcheck disable=SC1091
      . "$d/node.env"
      printf '%-9s %-6s %-17s %-15s %-5s %-36s %s\n' "$NAME" "$KIND" "$MAC" "$BMC_ADDRESS" \
        "$( [ "$(power_of "$d")" = 1 ] && echo on || echo off)" "$UUID" "$( [ "$KIND" = vm ] && echo "$SERIAL" || echo -)"
    )
  done
  if live_pid "$lab_dir/bifrost.pid" >/dev/null; then cmd_baremetal node list 2>/dev/null || true; fi
}

cmd_baremetal() {
  load_lab
  HOME=$lab_dir in_ns env -u OS_CLOUD baremetal --os-auth-type none --os-endpoint "http://127.0.0.1:$api_port" "$@"
}

cmd_exec() { load_lab; in_ns "$@"; }

cmd_power() { # NODE on|off
  load_lab
  local d="$lab_dir/nodes/${1:-}"
  [ -f "$d/node.env" ] || die "no node ${1:-} in the lab"
  case "${2:-}" in on) in_ns "$self" --dir "$lab_dir" chassis "$d" set power 1 ;; off) cmd_chassis "$d" set power 0 ;; *) die "power NODE on|off" ;; esac
}

# -------------------------------------------------------------------------------------------------------- marker image
# A hand-assembled MBR boot sector: prints "BIFROST-MARKER <uuid>" to COM1 (port 0x3f8) and halts, padded with zeros.
#   0: fa        cli
#   1: 31 c0     xor ax,ax
#   3: 8e d8     mov ds,ax
#   5: be 17 7c  mov si,0x7c17        ; the message, at offset 23 of the sector loaded at 0:7c00
#   8: ba f8 03  mov dx,0x3f8         ; COM1 data register (QEMU's UART needs no set-up to transmit)
#  11: fc        cld
#  12: ac        lodsb                ; loop: al = [si++]
#  13: 84 c0     test al,al
#  15: 74 03     jz 20                ; NUL ends the message
#  17: ee        out dx,al
#  18: eb f8     jmp 12
#  20: f4        hlt                  ; done: halt forever
#  21: eb fd     jmp 20
#  23: "BIFROST-MARKER <uuid>\r\n\0"; 510: 55 aa (boot signature)
cmd_marker_image() {
  local uuid=${1:?usage: marker-image UUID OUT [MiB]} out=${2:?usage: marker-image UUID OUT [MiB]} mib=${3:-4}
  [[ $uuid =~ ^[0-9A-Za-z-]{1,64}$ ]] || die "marker-image: '$uuid' is not a UUID"
  {
    printf '\372\061\300\216\330\276\027\174\272\370\003\374\254\204\300\164\003\356\353\370\364\353\375'
    printf 'BIFROST-MARKER %s\r\n\0' "$uuid"
  } > "$out"
  truncate -s 510 "$out"
  printf '\125\252' >> "$out"
  truncate -s "${mib}M" "$out"
}

# -------------------------------------------------------------------------------------------------------------- demo
cmd_demo() {
  load_lab
  local name=${1:-node-1} d uuid image sum
  d="$lab_dir/nodes/$name"
  [ -f "$d/node.env" ] || die "no node $name"
  # shellcheck disable=SC1091
  . "$d/node.env"
  [ -n "${UUID:-}" ] || die "$name is not enrolled (lab was started with --no-enroll)"
  run() { echo "+ baremetal $*" >&2; cmd_baremetal "$@"; }
  run node manage "$UUID" --wait 120
  run node inspect "$UUID" --wait 900
  run node show "$UUID" -f value -c properties
  run node provide "$UUID" --wait 900
  image="$lab_dir/state/images/marker-$UUID.img"
  mkdir -p "$(dirname "$image")"
  cmd_marker_image "$UUID" "$image" 4
  sum=$(sha256sum "$image" | cut -d' ' -f1)
  run node set "$UUID" --instance-info "image_source=$(basename "$image")" --instance-info "image_checksum=$sum"
  run node deploy "$UUID" --wait 900
  say "waiting for the deployed disk to print its marker on $SERIAL"
  local i
  for ((i = 0; i < 300; i++)); do
    if grep -qa "BIFROST-MARKER $UUID" "$SERIAL"; then say "the node booted its new disk: $(grep -a "BIFROST-MARKER" "$SERIAL" | tail -n 1)"; return 0; fi
    sleep 1
  done
  die "no marker on the serial console within 300 s"
}

# ---------------------------------------------------------------------------------------------------------------- main
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) lab_dir=$2; shift 2 ;;
    *) break ;;
  esac
done
verb=${1:-}
[ $# -gt 0 ] && shift
case "$verb" in
  up) cmd_up "$@" ;;
  down) cmd_down "$@" ;;
  status) cmd_status ;;
  demo) cmd_demo "$@" ;;
  baremetal) cmd_baremetal "$@" ;;
  exec) cmd_exec "$@" ;;
  bifrost) cmd_bifrost "$@" ;;
  power) cmd_power "$@" ;;
  chassis) cmd_chassis "$@" ;;
  marker-image) cmd_marker_image "$@" ;;
  *) sed -n '2,14p' "$self" | sed 's/^# \{0,1\}//'; [ -z "$verb" ] || [ "$verb" = help ] || exit 2 ;;
esac

# Functions of Bifrost's deploy agent (POSIX sh for busybox ash), sourced by agent.sh and by the tests.
# The contract with Bifrost is docs/agent-protocol.md (bifrost-agent/1).
# SYSROOT prefixes every /proc and /sys read, so the tests run these functions against fake trees; DEVROOT prefixes
# /dev for the same reason. AGENT_STATE is the agent's scratch directory; AGENT_LOG its log file.

SYSROOT=${SYSROOT:-}
DEVROOT=${DEVROOT:-}
AGENT_STATE=${AGENT_STATE:-/run/bifrost-agent}
AGENT_LOG=${AGENT_LOG:-/var/log/bifrost-agent.log}
AGENT_CONSOLE=${AGENT_CONSOLE:-/dev/console}
AGENT_VERSION=bifrost-agent/1
GiB=1073741824

log() {
  line="$(date -u '+%Y-%m-%dT%H:%M:%SZ') bifrost-agent: $*"
  printf '%s\n' "$line" >> "$AGENT_LOG"
  printf '%s\n' "$line" >> "$AGENT_CONSOLE" 2>/dev/null
  return 0
}

# ---------------------------------------------------------------------------------------------------------------------
# JSON

# json_str STRING: STRING as a JSON string literal; control characters escaped. Bytes above 0x7e become "?"
# first: sysfs strings are ASCII in practice, and this way the document is valid UTF-8 whatever a firmware put there.
json_str() {
  # The sentinel x keeps a trailing newline (awk drops an empty last record); records are emitted one behind so the
  # last one can lose the sentinel; printing char by char keeps this linear.
  printf '%sx' "$1" | tr -c '\1-\176' '?' | awk '
    function emit(s,   n, i, c) {
      n = length(s)
      for (i = 1; i <= n; i++) {
        c = substr(s, i, 1)
        if (c == "\\") printf "\\\\"
        else if (c == "\"") printf "\\\""
        else if (c in esc) printf "%s", esc[c]
        else printf "%s", c
      }
    }
    BEGIN { for (i = 1; i < 32; i++) esc[sprintf("%c", i)] = sprintf("\\u%04x", i)
            esc["\t"] = "\\t"; esc["\r"] = "\\r"; printf "\"" }
    NR > 1 { emit(prev); printf "\\n" }
    { prev = $0 }
    END { emit(substr(prev, 1, length(prev) - 1)); printf "\"" }'
}

# json_num VALUE: VALUE when it is a non-negative integer, else null.
json_num() {
  case "$1" in ''|*[!0-9]*) printf 'null' ;; *) printf '%s' "$1" ;; esac
}

# read_sys FILE: the file's first line without surrounding blanks, or nothing.
read_sys() {
  [ -r "$1" ] || return 0
  v=$(head -n1 "$1" 2>/dev/null) || return 0
  printf '%s' "$v" | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//'
}

# json_sys FILE: the file's first line as a JSON string, or null when absent or empty.
json_sys() {
  v=$(read_sys "$1")
  if [ -n "$v" ]; then json_str "$v"; else printf 'null'; fi
}

# ---------------------------------------------------------------------------------------------------------------------
# Hardware

# list_disks: "NAME SIZE_BYTES" per disk that can be a root disk or needs cleaning: not removable, not loop/ram/zram/
# optical/floppy/device-mapper, size > 0.
list_disks() {
  for d in "$SYSROOT"/sys/block/*; do
    [ -e "$d" ] || continue
    name=${d##*/}
    case "$name" in loop*|ram*|zram*|sr*|fd*|dm-*|md*|nbd*) continue ;; esac
    [ "$(read_sys "$d/removable")" = 1 ] && continue
    sectors=$(read_sys "$d/size")
    case "$sectors" in ''|*[!0-9]*|0) continue ;; esac
    echo "$name $((sectors * 512))"
  done
}

# disk_serial NAME: the serial number sysfs knows (virtio-blk: serial; SCSI/ATA/NVMe: device/serial or wwid).
disk_serial() {
  for f in "$SYSROOT/sys/block/$1/serial" "$SYSROOT/sys/block/$1/device/serial"; do
    s=$(read_sys "$f")
    [ -n "$s" ] && { printf '%s' "$s"; return 0; }
  done
}

# choose_root_disk NAME_HINT SIZE_GB_HINT SERIAL_HINT: the root disk's /dev path, as Ironic chooses it: the disks
# matching every given hint (name with or without /dev/, size in GiB rounded down, serial), else the smallest disk of
# at least 4 GiB. Fails (status 1, message on stderr) when no disk fits.
choose_root_disk() {
  hint_name=${1#/dev/}; hint_size=$2; hint_serial=$3
  best=; best_size=
  list_disks > "$AGENT_STATE/disks.$$"
  while read -r name size; do
    if [ -n "$hint_name$hint_size$hint_serial" ]; then
      [ -n "$hint_name" ] && [ "$hint_name" != "$name" ] && continue
      [ -n "$hint_size" ] && [ "$hint_size" != "$((size / GiB))" ] && continue
      [ -n "$hint_serial" ] && [ "$hint_serial" != "$(disk_serial "$name")" ] && continue
    else
      [ "$size" -lt $((4 * GiB)) ] && continue
    fi
    if [ -z "$best" ] || [ "$size" -lt "$best_size" ]; then best=$name; best_size=$size; fi
  done < "$AGENT_STATE/disks.$$"
  rm -f "$AGENT_STATE/disks.$$"
  if [ -z "$best" ]; then
    if [ -n "$hint_name$hint_size$hint_serial" ]; then
      echo "no disk matches the root device hints (name '$1', size_gb '$2', serial '$3')" >&2
    else
      echo "no disk of at least 4 GiB" >&2
    fi
    return 1
  fi
  echo "$DEVROOT/dev/$best"
}

# list_nics: ethernet interfaces backed by a device (not lo, bridges, veths).
list_nics() {
  for n in "$SYSROOT"/sys/class/net/*; do
    [ -e "$n/device" ] || continue
    [ "$(read_sys "$n/type")" = 1 ] || continue
    echo "${n##*/}"
  done
}

# all_macs: the MAC of every NIC, comma-separated (for the lookup).
all_macs() {
  macs=
  for n in $(list_nics); do
    m=$(read_sys "$SYSROOT/sys/class/net/$n/address")
    [ -n "$m" ] && macs="${macs:+$macs,}$m"
  done
  printf '%s' "$macs"
}

# bootif_mac CMDLINE: the MAC in BOOTIF= (PXELINUX/iPXE form 01-aa-bb-… or plain aa:bb:…), lower case.
bootif_mac() {
  for word in $1; do
    case "$word" in
      BOOTIF=01-*) printf '%s' "${word#BOOTIF=01-}" | tr 'A-F-' 'a-f:'; return 0 ;;
      BOOTIF=*) printf '%s' "${word#BOOTIF=}" | tr 'A-F-' 'a-f:'; return 0 ;;
    esac
  done
}

# cmdline_arg CMDLINE KEY: the value of KEY=… on the kernel command line.
cmdline_arg() {
  for word in $1; do
    case "$word" in "$2"=*) printf '%s' "${word#"$2"=}"; return 0 ;; esac
  done
}

# inventory BOOTIF_MAC: the inventory JSON (docs/agent-protocol.md §3, ironic-python-agent's shape) on stdout.
inventory() {
  cpuinfo="$SYSROOT/proc/cpuinfo"
  count=$(grep -c '^processor' "$cpuinfo" 2>/dev/null)
  model=$(sed -n 's/^model name[[:space:]]*: *//p' "$cpuinfo" | head -n1)
  flags=$(sed -n 's/^flags[[:space:]]*: *//p' "$cpuinfo" | head -n1)
  printf '{"cpu": {"count": %s, "architecture": %s, "model_name": %s, "flags": [' \
    "$(json_num "$count")" "$(json_str "${ARCH:-$(uname -m)}")" "$(json_str "$model")"
  sep=
  for f in $flags; do printf '%s%s' "$sep" "$(json_str "$f")"; sep=', '; done
  printf ']}, '

  kb=$(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' "$SYSROOT/proc/meminfo")
  total=$(( ${kb:-0} * 1024 ))
  # Physical memory: the online memory blocks (what the machine has, not what the kernel kept for itself), else
  # MemTotal rounded up to a MiB.
  physical_mb=$(( (total + 1048575) / 1048576 ))
  blocksize=$(read_sys "$SYSROOT/sys/devices/system/memory/block_size_bytes")
  if [ -n "$blocksize" ]; then
    blocks=0
    for b in "$SYSROOT"/sys/devices/system/memory/memory*; do
      [ "$(read_sys "$b/online")" = 1 ] && blocks=$((blocks + 1))
    done
    [ "$blocks" -gt 0 ] && physical_mb=$(( blocks * 0x$blocksize / 1048576 ))
  fi
  printf '"memory": {"total": %s, "physical_mb": %s}, ' "$total" "$physical_mb"

  printf '"disks": ['
  sep=
  list_disks > "$AGENT_STATE/inv-disks.$$"
  while read -r name size; do
    d="$SYSROOT/sys/block/$name"
    rot=false; [ "$(read_sys "$d/queue/rotational")" = 1 ] && rot=true
    serial=$(disk_serial "$name")
    printf '%s{"name": %s, "size": %s, "model": %s, "vendor": %s, "serial": %s, "rotational": %s, "wwn": %s}' \
      "$sep" "$(json_str "/dev/$name")" "$size" "$(json_sys "$d/device/model")" "$(json_sys "$d/device/vendor")" \
      "$( [ -n "$serial" ] && json_str "$serial" || printf null)" "$rot" "$(json_sys "$d/device/wwid")"
    sep=', '
  done < "$AGENT_STATE/inv-disks.$$"
  rm -f "$AGENT_STATE/inv-disks.$$"
  printf '], '

  printf '"interfaces": ['
  sep=
  for n in $(list_nics); do
    d="$SYSROOT/sys/class/net/$n"
    carrier=false; [ "$(read_sys "$d/carrier")" = 1 ] && carrier=true
    speed=$(read_sys "$d/speed")
    ip4=
    [ -z "$SYSROOT" ] && ip4=$(ip -4 -o addr show dev "$n" 2>/dev/null | sed -n 's/.* inet \([0-9.]*\).*/\1/p' | head -n1)
    printf '%s{"name": %s, "mac_address": %s, "ipv4_address": %s, "has_carrier": %s, "speed_mbps": %s}' \
      "$sep" "$(json_str "$n")" "$(json_sys "$d/address")" "$( [ -n "$ip4" ] && json_str "$ip4" || printf null)" \
      "$carrier" "$(json_num "$speed")"
    sep=', '
  done
  printf '], '

  mode=bios; [ -d "$SYSROOT/sys/firmware/efi" ] && mode=uefi
  printf '"boot": {"current_boot_mode": "%s", "pxe_interface": %s}, ' "$mode" \
    "$( [ -n "$1" ] && json_str "$1" || printf null)"
  dmi="$SYSROOT/sys/class/dmi/id"
  printf '"system_vendor": {"manufacturer": %s, "product_name": %s, "serial_number": %s}, ' \
    "$(json_sys "$dmi/sys_vendor")" "$(json_sys "$dmi/product_name")" "$(json_sys "$dmi/product_serial")"
  printf '"hostname": %s}' "$(json_str "$(read_sys "$SYSROOT/proc/sys/kernel/hostname")")"
}

# ---------------------------------------------------------------------------------------------------------------------
# Commands (heartbeat answers, docs/agent-protocol.md §3)

# parse_command FILE: sets cmd_<key> for the keys the agent knows from the key=value lines of FILE; unknown keys are
# ignored; nothing is evaluated. Values keep every '=' after the first one.
parse_command() {
  cmd_command=; cmd_id=; cmd_interval=; cmd_image_url=; cmd_image_format=; cmd_image_hash_algo=; cmd_image_hash=
  cmd_image_size=; cmd_root_device_name=; cmd_root_device_size_gb=; cmd_root_device_serial=; cmd_configdrive_url=
  cmd_configdrive_format=
  while IFS='=' read -r key value || [ -n "$key" ]; do
    value=${value%"$(printf '\r')"}
    case "$key" in
      command) cmd_command=$value ;;
      id) cmd_id=$value ;;
      interval) cmd_interval=$value ;;
      image_url) cmd_image_url=$value ;;
      image_format) cmd_image_format=$value ;;
      image_hash_algo) cmd_image_hash_algo=$value ;;
      image_hash) cmd_image_hash=$value ;;
      image_size) cmd_image_size=$value ;;
      root_device_name) cmd_root_device_name=$value ;;
      root_device_size_gb) cmd_root_device_size_gb=$value ;;
      root_device_serial) cmd_root_device_serial=$value ;;
      configdrive_url) cmd_configdrive_url=$value ;;
      configdrive_format) cmd_configdrive_format=$value ;;
    esac
  done < "$1"
}

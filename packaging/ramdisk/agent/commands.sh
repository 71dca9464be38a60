# The deploy agent's commands (docs/agent-protocol.md §3). Each runs in the background; its state lives in files
# under $AGENT_STATE/cmd (status, message, result, stage, done, total) that the heartbeat loop reports.

CMD="$AGENT_STATE/cmd"

cmd_set() { printf '%s' "$2" > "$CMD/$1.tmp" && mv -f "$CMD/$1.tmp" "$CMD/$1"; }
cmd_get() { cat "$CMD/$1" 2>/dev/null; }
cmd_progress() { cmd_set stage "$1"; cmd_set done "$2"; cmd_set total "$3"; }
cmd_succeed() { cmd_set result "$1"; cmd_set status succeeded; log "command $(cmd_get name) $(cmd_get id) succeeded"; }
cmd_fail() { cmd_set message "$1"; cmd_set status failed; log "command $(cmd_get name) $(cmd_get id) failed: $1"; }

# uptime_cs: seconds since boot with hundredths (for durations finer than date's seconds).
uptime_cs() { read -r up _ < /proc/uptime; printf '%s' "$up"; }
elapsed() { awk -v a="$1" -v b="$(uptime_cs)" 'BEGIN { printf "%.1f", b - a }'; }

# part_dev DISK N: the device of partition N (/dev/vda2, /dev/nvme0n1p2).
part_dev() {
  case "$1" in *[0-9]) echo "${1}p$2" ;; *) echo "$1$2" ;; esac
}

# ---------------------------------------------------------------------------------------------------------------------
# Cleaning

# erase_report_entry DEVICE METHOD BYTES START RESULT ERROR
erase_report_entry() {
  printf '{"device": %s, "serial": %s, "method": "%s", "bytes": %s, "duration_s": %s, "result": "%s", "error": %s}' \
    "$(json_str "$1")" "$(json_str "$(disk_serial "${1##*/}")")" "$2" "$3" "$(elapsed "$4")" "$5" "$(json_str "$6")"
}

# erase_metadata DEV SIZE: zero the first and last MiB (MBR/GPT and its backup, filesystem and RAID signatures).
# notrunc: without it dd truncates a regular file (a file-backed disk) after the first MiB.
erase_metadata() {
  sectors=$(( $2 / 512 ))
  dd if=/dev/zero of="$1" bs=512 count=2048 conv=notrunc,fsync 2>"$CMD/dd.err" || return 1
  if [ "$sectors" -gt 2048 ]; then
    dd if=/dev/zero of="$1" bs=512 count=2048 seek=$((sectors - 2048)) conv=notrunc,fsync 2>"$CMD/dd.err" || return 1
  fi
  blockdev --rereadpt "$1" 2>/dev/null
  return 0
}

# erase_overwrite DEV SIZE: zeros over the whole device.
erase_overwrite() {
  dd if=/dev/zero of="$1" bs=1048576 count=$(( $2 / 1048576 )) conv=notrunc,fsync 2>"$CMD/dd.err" || return 1
  rest=$(( $2 % 1048576 / 512 ))
  if [ "$rest" -gt 0 ]; then
    dd if=/dev/zero of="$1" bs=512 count="$rest" seek=$(( $2 / 512 - rest )) conv=notrunc,fsync 2>"$CMD/dd.err" || return 1
  fi
  blockdev --rereadpt "$1" 2>/dev/null
  return 0
}

# run_erase full|metadata: every disk; the clean report as the result; any disk failing fails the command.
run_erase() {
  report=; sep=; failed=
  list_disks > "$CMD/disks"
  total=0; while read -r _ size; do total=$((total + size)); done < "$CMD/disks"
  done_bytes=0
  while read -r name size; do
    dev="$DEVROOT/dev/$name"; start=$(uptime_cs); error=
    cmd_progress erase "$done_bytes" "$total"
    if [ "$1" = metadata ]; then
      method=metadata; bytes=$(( size > 2097152 ? 2097152 : size ))
      erase_metadata "$dev" "$size" || error="zeroing the first and last MiB failed: $(tail -n1 "$CMD/dd.err")"
    elif blkdiscard -s "$dev" 2>"$CMD/dd.err"; then
      method=hardware; bytes=$size
    else
      method=overwrite; bytes=$size
      log "$dev: no secure discard ($(tail -n1 "$CMD/dd.err")); overwriting $size bytes with zeros"
      erase_overwrite "$dev" "$size" || error="overwriting failed: $(tail -n1 "$CMD/dd.err")"
    fi
    if [ -n "$error" ]; then result=failed; failed="$failed $dev"; log "$dev: $error"; else result=ok; fi
    report="$report$sep$(erase_report_entry "$dev" "$method" "$bytes" "$start" "$result" "$error")"; sep=', '
    done_bytes=$((done_bytes + size))
    log "$dev: $method erase $result"
  done < "$CMD/disks"
  cmd_set result "{\"disks\": [$report]}"
  if [ -n "$failed" ]; then cmd_fail "erasing failed on$failed"; else cmd_succeed "{\"disks\": [$report]}"; fi
}

# ---------------------------------------------------------------------------------------------------------------------
# Image deployment

# stream_image URL DECOMPRESSOR HASHER DEV TOTAL: one download attempt, read straight off the socket (http_stream).
# Raw: tee copies the body to the hasher (a fifo) and to the disk, an fd the consumer opened read-write (no
# truncation, one file offset shared with its children), so the offset after tee is the number of bytes written —
# and received. Compressed: tee also feeds a byte counter (wc, a fifo) and pipes on to the decompressor, which writes
# the disk through the same fd. Under TCG every extra process or pipe hop on the way costs more than the transfer
# itself (bench/RESULTS.md: one pipe hop 25-60 MiB/s, the socket read 120-360), hence no dd, no relay and no counter
# on the raw path. The hasher is then the slowest stage (sha256 ~25 MiB/s under TCG), in parallel on another CPU.
# Progress: bytes the hasher has read so far (its rchar: what was received). STREAM_TEE is the tee to use (the
# ramdisk ships one with a larger buffer than busybox's 1 KiB).
# Status 0 = complete, 2 = connection error or short body (retry), 1 = a final error (message in $CMD/stream.err).
stream_image() {
  rm -f "$CMD/hashin" "$CMD/countin" "$CMD/hash.out" "$CMD/count.out" "$CMD/written.out" "$CMD/write.err" \
    "$CMD/decompress.err" "$CMD/tee.rc"
  mkfifo "$CMD/hashin" || { echo "mkfifo $CMD/hashin failed" > "$CMD/stream.err"; return 1; }
  $3 < "$CMD/hashin" > "$CMD/hash.out" & hash_pid=$!
  count_pid=
  STREAM_CMD=$CMD STREAM_DEV=$4 STREAM_DECOMPRESSOR=$2 STREAM_TEE=tee
  [ -x "$AGENT_TOOLS/tee" ] && STREAM_TEE=$AGENT_TOOLS/tee
  export STREAM_CMD STREAM_DEV STREAM_DECOMPRESSOR STREAM_TEE
  if [ "$2" = cat ]; then
    consumer='exec 4<>"$STREAM_DEV" || exit 3
      $STREAM_TEE "$STREAM_CMD/hashin" 2>"$STREAM_CMD/write.err" >&4; rc=$?
      sed -n "s/^pos:[[:space:]]*//p" /proc/self/fdinfo/4 > "$STREAM_CMD/written.out"
      exit $rc'
  else
    mkfifo "$CMD/countin"
    wc -c < "$CMD/countin" > "$CMD/count.out" & count_pid=$!
    consumer='exec 4<>"$STREAM_DEV" || exit 3
      { $STREAM_TEE "$STREAM_CMD/hashin" "$STREAM_CMD/countin" 2>"$STREAM_CMD/write.err"; echo $? > "$STREAM_CMD/tee.rc"; } \
        | $STREAM_DECOMPRESSOR 2>"$STREAM_CMD/decompress.err" >&4; rc=$?
      sed -n "s/^pos:[[:space:]]*//p" /proc/self/fdinfo/4 > "$STREAM_CMD/written.out"
      exit $rc'
  fi
  STREAM_TOTAL=$5; HTTP_STREAM_WATCH=stream_progress
  http_stream "$1" "$consumer"; http_rc=$?
  HTTP_STREAM_WATCH=
  # A reader still waiting for a writer (the consumer never ran: refused, 404) gets one and sees end of file: an open
  # for reading and writing never blocks on a fifo. Repeated, as the reader may not have reached its open yet.
  reap_reader "$hash_pid" "$CMD/hashin"
  [ -z "$count_pid" ] || reap_reader "$count_pid" "$CMD/countin"
  status=$(http_status)
  if [ "$http_rc" != 0 ]; then
    echo "connection to $1 failed: $(head -c 200 "$HTTP_DIR/http.err")" > "$CMD/stream.err"; return 2
  fi
  if [ "$status" != 200 ]; then echo "image download failed: HTTP $status from $1" > "$CMD/stream.err"; return 1; fi
  consumer_rc=$(cat "$HTTP_DIR/http.consumer" 2>/dev/null)
  if [ "$consumer_rc" = 3 ] && [ ! -s "$CMD/written.out" ]; then
    echo "cannot open $4 for writing" > "$CMD/stream.err"; return 1
  fi
  written=$(cat "$CMD/written.out" 2>/dev/null)
  cmd_set written "$written"
  # Failures that are not the network's, whatever the byte count: the disk refused a write (tee names its standard
  # output), or the decompressor stopped first, which cuts tee short too (SIGPIPE: status 141, or "Broken pipe").
  if [ "$consumer_rc" != 0 ]; then
    if [ "$2" = cat ]; then
      if grep -q 'standard output' "$CMD/write.err" 2>/dev/null; then
        echo "writing $4 failed: $(tail -n1 "$CMD/write.err")" > "$CMD/stream.err"; return 1
      fi
    elif [ "$(cat "$CMD/tee.rc" 2>/dev/null)" = 141 ] || grep -qi 'broken pipe' "$CMD/write.err" 2>/dev/null; then
      echo "decompressing the image failed: $(tail -n1 "$CMD/decompress.err")" > "$CMD/stream.err"; return 1
    fi
  fi
  if [ "$2" = cat ]; then received=$written; else received=$(tr -d ' ' < "$CMD/count.out"); fi
  length=$(http_header Content-Length)
  if [ -n "$length" ] && [ "$received" != "$length" ]; then
    echo "the image download from $1 broke off after ${received:-0} of $length bytes" > "$CMD/stream.err"; return 2
  fi
  if [ "$consumer_rc" != 0 ]; then
    if [ "$2" = cat ]; then
      echo "writing $4 failed: $(tail -n1 "$CMD/write.err")" > "$CMD/stream.err"
    else
      echo "decompressing the image failed: $(tail -n1 "$CMD/decompress.err")" > "$CMD/stream.err"
    fi
    return 1
  fi
  return 0
}

# reap_reader PID FIFO: waits for the reader of FIFO to end, giving it a writer (an open for reading and writing never
# blocks on a fifo) should it still wait for one because nothing ever opened the other end.
reap_reader() {
  while kill -0 "$1" 2>/dev/null; do : 1<>"$2"; sleep 0.1; done
  wait "$1"
}

# stream_progress PID: while the download runs, the bytes received so far (the hasher's reads) as the progress.
stream_progress() {
  while kill -0 "$1" 2>/dev/null; do
    got=$(sed -n 's/^rchar: //p' "/proc/$hash_pid/io" 2>/dev/null)
    if [ -n "$got" ]; then
      [ "${STREAM_TOTAL:-0}" -gt 0 ] && [ "$got" -gt "$STREAM_TOTAL" ] && got=$STREAM_TOTAL
      cmd_progress write "$got" "$STREAM_TOTAL"
    fi
    sleep 1
  done
}

# The ramdisk's own tools next to busybox (packaging/ramdisk/build.sh): nettle-hash, whose SHA-256 uses the CPU's
# SHA extensions when it has them (the lab's TCG CPU has none; its x86_64 assembly is still the fastest sha256
# measured there, 1.7x busybox's), and GNU tee, which moves 8 KiB per read where busybox tee moves 1 KiB. Without
# them (the host tests, an older ramdisk) busybox does the same work, slower.
AGENT_TOOLS=${AGENT_TOOLS:-/usr/lib/bifrost-agent/bin}

# image_hasher ALGO: the command that hashes its stdin (md5, sha256, sha512); hash_hex FILE: its output as hex.
image_hasher() {
  if [ -x "$AGENT_TOOLS/nettle-hash" ]; then echo "$AGENT_TOOLS/nettle-hash -a $1 --raw"; else echo "${1}sum"; fi
}
hash_hex() {
  if [ -x "$AGENT_TOOLS/nettle-hash" ]; then od -A n -t x1 -v "$1" | tr -d ' \n'; else cut -d' ' -f1 "$1"; fi
}

# run_write_image: the write_image command (variables cmd_* from parse_command).
run_write_image() {
  start=$(uptime_cs)
  dev=$(choose_root_disk "$cmd_root_device_name" "$cmd_root_device_size_gb" "$cmd_root_device_serial" 2>"$CMD/err") \
    || { cmd_fail "$(cat "$CMD/err")"; return; }
  case "$cmd_image_hash_algo" in
    md5|sha256|sha512) hasher=$(image_hasher "$cmd_image_hash_algo") ;;
    *) cmd_fail "unsupported image_hash_algo '$cmd_image_hash_algo' (md5, sha256 or sha512)"; return ;;
  esac
  case "$cmd_image_format" in
    raw|'') decompressor=cat ;;
    gzip) decompressor="gunzip -c" ;;
    zstd) decompressor="zstd -d -c -q" ;;
    *) cmd_fail "unsupported image_format '$cmd_image_format' (raw, gzip or zstd)"; return ;;
  esac
  log "write_image: $cmd_image_url ($cmd_image_format, $cmd_image_hash_algo) → $dev"
  attempt=1
  while :; do
    stream_image "$cmd_image_url" "$decompressor" "$hasher" "$dev" "${cmd_image_size:-0}"; rc=$?
    [ "$rc" = 0 ] && break
    if [ "$rc" = 1 ] || [ "$attempt" -ge 3 ]; then cmd_fail "$(cat "$CMD/stream.err")"; return; fi
    log "write_image: $(cat "$CMD/stream.err"); retry $attempt of 2 in $((attempt * 2))s"
    sleep $((attempt * 2)); attempt=$((attempt + 1))
  done
  actual=$(hash_hex "$CMD/hash.out")
  expected=$(printf '%s' "$cmd_image_hash" | tr 'A-F' 'a-f')
  if [ "$actual" != "$expected" ]; then
    cmd_fail "image checksum mismatch: $cmd_image_hash_algo expected $expected, got $actual"; return
  fi
  cmd_progress sync "$(cmd_get written)" "$(cmd_get written)"
  sync
  blockdev --rereadpt "$dev" 2>/dev/null
  configdrive=
  if [ -n "$cmd_configdrive_url" ]; then
    configdrive=$(write_configdrive "$dev" "$cmd_configdrive_url" "${cmd_configdrive_format:-tar}" 2>"$CMD/err") \
      || { cmd_fail "config drive: $(cat "$CMD/err")"; return; }
  fi
  cmd_succeed "$(printf '{"device": %s, "bytes_written": %s, "hash_algo": "%s", "hash": "%s", "duration_s": %s, "configdrive": %s}' \
    "$(json_str "$dev")" "$(cmd_get written)" "$cmd_image_hash_algo" "$actual" "$(elapsed "$start")" "$(json_str "$configdrive")")"
}

# mbr_u32 DEV OFFSET: a little-endian 32-bit number from the first sector.
mbr_u32() { dd if="$1" bs=1 skip="$2" count=4 2>/dev/null | od -A n -t u4 | tr -d ' '; }
mbr_u8() { dd if="$1" bs=1 skip="$2" count=1 2>/dev/null | od -A n -t u1 | tr -d ' '; }

# write_configdrive DEV URL FORMAT: a partition after the last one on an MBR disk holding the config drive; prints it.
write_configdrive() {
  file="$CMD/configdrive"
  http_request_retry 3 GET "$2" "$file" -H "X-Agent-Token: $AGENT_TOKEN" \
    || { echo "cannot download $2" >&2; return 1; }
  [ "$(http_status)" = 200 ] || { echo "download of $2 answered HTTP $(http_status)" >&2; return 1; }
  [ "$(mbr_u8 "$1" 510)$(mbr_u8 "$1" 511)" = 85170 ] \
    || { echo "the image on $1 has no MBR partition table; no place for a config drive partition" >&2; return 1; }
  end=0; free=
  for i in 1 2 3 4; do
    entry=$((446 + 16 * (i - 1)))
    type=$(mbr_u8 "$1" $((entry + 4)))
    if [ "$type" = 238 ]; then
      echo "the image on $1 has a GPT partition table: config drive partitions are made on MBR disks only" >&2
      return 1
    fi
    if [ "$type" = 0 ]; then [ -z "$free" ] && free=$i; continue; fi
    last=$(( $(mbr_u32 "$1" $((entry + 8))) + $(mbr_u32 "$1" $((entry + 12))) ))
    [ "$last" -gt "$end" ] && end=$last
  done
  [ -n "$free" ] || { echo "the MBR of $1 has no free primary partition slot" >&2; return 1; }
  size=$(wc -c < "$file")
  if [ "$3" = iso ]; then mib=$(( (size + 1048575) / 1048576 )); else mib=64; fi
  first=$(( (end + 2047) / 2048 * 2048 ))
  lastsector=$(( first + mib * 2048 - 1 ))
  disk_sectors=$(read_sys "$SYSROOT/sys/block/${1##*/}/size")
  [ -z "$disk_sectors" ] || [ "$lastsector" -lt "$disk_sectors" ] \
    || { echo "no room for a ${mib} MiB partition after sector $end on $1" >&2; return 1; }
  # busybox fdisk, answering its prompts: new, primary, number, first and last sector, write.
  printf 'n\np\n%s\n%s\n%s\nw\n' "$free" "$first" "$lastsector" | fdisk "$1" > "$CMD/fdisk.out" 2>&1
  blockdev --rereadpt "$1" 2>/dev/null
  part=$(part_dev "$1" "$free")
  for _ in 1 2 3 4 5 6 7 8 9 10; do [ -b "$part" ] && break; sleep 1; done
  [ -b "$part" ] || { echo "partition $part did not appear ($(tail -n2 "$CMD/fdisk.out" | tr '\n' ' '))" >&2; return 1; }
  if [ "$3" = iso ]; then
    dd if="$file" of="$part" bs=1048576 conv=fsync 2>"$CMD/dd.err" \
      || { echo "writing the ISO to $part failed: $(tail -n1 "$CMD/dd.err")" >&2; return 1; }
  else
    mkdosfs -n config-2 "$part" > "$CMD/mkfs.out" 2>&1 \
      || { echo "mkdosfs $part failed: $(tail -n1 "$CMD/mkfs.out")" >&2; return 1; }
    mkdir -p /mnt/configdrive
    mount -t vfat "$part" /mnt/configdrive 2>"$CMD/err" \
      || { echo "mounting $part failed: $(cat "$CMD/err")" >&2; return 1; }
    zflag=; [ "$(head -c 2 "$file" | od -A n -t x1 | tr -d ' ')" = 1f8b ] && zflag=z
    tar -x${zflag}f "$file" -C /mnt/configdrive 2>"$CMD/tar.err"; tar_rc=$?
    umount /mnt/configdrive
    [ "$tar_rc" = 0 ] || { echo "extracting the config drive failed: $(tail -n1 "$CMD/tar.err")" >&2; return 1; }
  fi
  sync
  log "config drive ($3, $size bytes) on $part"
  echo "$part"
}

# run_command NAME: the command just given (cmd_* set), in the background.
run_command() {
  # /init may still be loading disk and filesystem drivers (it starts the agent once the NICs are up): wait for them.
  i=0
  while [ -e "${MODULES_LOADING:-/run/bifrost-modules.loading}" ] && [ "$i" -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
  # Own HTTP state, and no time limit: an image download takes as long as it takes.
  HTTP_DIR=$CMD; HTTP_TIMEOUT=
  case "$1" in
    inspect) inventory "$BOOTIF_MAC" > "$CMD/inventory" 2>"$CMD/err" \
               && cmd_succeed "{\"inventory\": $(cat "$CMD/inventory")}" || cmd_fail "inventory: $(cat "$CMD/err")" ;;
    erase_devices_metadata) run_erase metadata ;;
    erase_devices) run_erase full ;;
    write_image) run_write_image ;;
    *) cmd_fail "unknown command $1" ;;
  esac
}

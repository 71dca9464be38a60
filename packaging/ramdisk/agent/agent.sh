#!/bin/sh
# Bifrost's deploy agent (bifrost-agent/1, docs/agent-protocol.md): network up, lookup by MACs, then heartbeats whose
# answers carry the next command; commands run in the background and their state goes out with every heartbeat.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/http.sh"
. "$here/commands.sh"
mkdir -p "$AGENT_STATE" "$CMD"

# net_up BOOTIF_MAC: every ethernet interface up, a short wait for carrier, then DHCP on the boot interface first and
# on the others after it, until one gets a lease (retried forever: nothing works without the network).
net_up() {
  ip link set lo up 2>/dev/null
  for n in $(list_nics); do ip link set "$n" up; done
  for _ in $(seq 1 20); do
    up=0; for n in $(list_nics); do [ "$(read_sys "/sys/class/net/$n/carrier")" = 1 ] && up=1; done
    [ "$up" = 1 ] && break; sleep 0.5
  done
  delay=2
  while :; do
    order=
    for n in $(list_nics); do
      [ "$(read_sys "/sys/class/net/$n/address")" = "$1" ] && order="$n $order" || order="$order $n"
    done
    for n in $order; do
      [ "$(read_sys "/sys/class/net/$n/carrier")" = 1 ] || { log "$n: no carrier"; continue; }
      log "$n: DHCP"
      if udhcpc -i "$n" -f -q -n -t 4 -T 2 -s "$here/udhcpc.script" >> "$AGENT_LOG" 2>&1; then
        log "$n: $(ip -4 -o addr show dev "$n" | sed -n 's/.* inet \([0-9./]*\).*/\1/p')"
        return 0
      fi
    done
    log "no DHCP lease on any interface ($(list_nics | tr '\n' ' ')); again in ${delay}s"
    sleep "$delay"; delay=$((delay * 2)); [ "$delay" -gt 30 ] && delay=30
  done
}

# lookup: until Bifrost knows us (the node may not be in an agent state yet): sets AGENT_TOKEN, NODE, INTERVAL.
lookup() {
  macs=$(all_macs)
  delay=2
  while :; do
    url="$API/v1/lookup?addresses=$macs${NODE:+&node_uuid=$NODE}"
    HTTP_TIMEOUT=60 http_request_retry 0 GET "$url" "$AGENT_STATE/lookup.json"
    if [ "$(http_status)" = 200 ]; then
      token=$(sed -n 's/.*"agent_token": *"\([^"]*\)".*/\1/p' "$AGENT_STATE/lookup.json")
      INTERVAL=$(sed -n 's/.*"heartbeat_interval": *\([0-9]*\).*/\1/p' "$AGENT_STATE/lookup.json")
      [ -n "$NODE" ] || NODE=$(grep -o '"uuid": *"[^"]*"' "$AGENT_STATE/lookup.json" | head -n1 | sed 's/.*"\([^"]*\)"$/\1/')
      # A repeated lookup in the same boot (the agent restarted) answers "******": the token saved in tmpfs holds.
      if [ "$token" != "******" ] && [ -n "$token" ]; then
        AGENT_TOKEN=$token; printf '%s' "$token" > "$AGENT_STATE/token"
      else
        AGENT_TOKEN=$(cat "$AGENT_STATE/token" 2>/dev/null)
      fi
      if [ -n "$AGENT_TOKEN" ] && [ -n "$NODE" ]; then
        log "lookup: node $NODE, heartbeat every ${INTERVAL:-5}s"
        return 0
      fi
      log "lookup: no usable token in the answer (given once per boot); asking again"
    else
      log "lookup ($macs): HTTP $(http_status); again in ${delay}s"
    fi
    sleep "$delay"; delay=$((delay * 2)); [ "$delay" -gt 30 ] && delay=30
  done
}

# heartbeat_body: the heartbeat JSON with the state of the last command.
heartbeat_body() {
  printf '{"agent_token": %s, "agent_version": "%s", "callback_url": ""' "$(json_str "$AGENT_TOKEN")" "$AGENT_VERSION"
  id=$(cmd_get id)
  if [ -n "$id" ]; then
    st=$(cmd_get status)
    printf ', "bifrost": {"command": {"id": %s, "name": %s, "status": "%s"' "$(json_str "$id")" \
      "$(json_str "$(cmd_get name)")" "$st"
    case "$st" in
      running) printf ', "progress": {"stage": %s, "done": %s, "total": %s}' "$(json_str "$(cmd_get stage)")" \
                 "$(json_num "$(cmd_get done)")" "$(json_num "$(cmd_get total)")" ;;
      succeeded) printf ', "result": %s' "$(cmd_get result)" ;;
      failed) r=$(cmd_get result); [ -n "$r" ] || r='{}'
              printf ', "message": %s, "result": %s' "$(json_str "$(cmd_get message)")" "$r" ;;
    esac
    printf '}'
    [ "$st" = failed ] && printf ', "log_tail": %s' "$(json_str "$(tail -c 8192 "$AGENT_LOG")")"
    printf '}'
  fi
  printf '}'
}

# start_command: the command parsed into cmd_*, in the background, unless it is the one we already have.
start_command() {
  [ "$cmd_id" = "$(cmd_get id)" ] && return 0
  if [ "$(cmd_get status)" = running ]; then
    log "command $cmd_command $cmd_id ignored: $(cmd_get name) $(cmd_get id) is still running"; return 0
  fi
  rm -f "$CMD"/*
  cmd_set id "$cmd_id"; cmd_set name "$cmd_command"; cmd_set status running; cmd_progress "$cmd_command" 0 0
  log "command $cmd_command $cmd_id"
  (run_command "$cmd_command") >> "$AGENT_LOG" 2>&1 &
}

CMDLINE=$(cat "${CMDLINE_FILE:-/proc/cmdline}")
API=$(cmdline_arg "$CMDLINE" bifrost.api); API=${API%/}
NODE=$(cmdline_arg "$CMDLINE" bifrost.node)
BOOTIF_MAC=$(bootif_mac "$CMDLINE")
log "starting ($AGENT_VERSION): api $API, node ${NODE:-?}, BOOTIF ${BOOTIF_MAC:-?}"
[ -n "$API" ] || { log "no bifrost.api= on the kernel command line; nothing to do"; exec sleep 2147483647; }
[ -n "$SKIP_NET" ] || net_up "$BOOTIF_MAC"
lookup
refused=0
while :; do
  heartbeat_body > "$AGENT_STATE/heartbeat.json"
  last_status=$(cmd_get status)
  HTTP_TIMEOUT=60 http_request_retry 0 POST "$API/v1/heartbeat/$NODE" "$AGENT_STATE/answer" "$AGENT_STATE/heartbeat.json"
  code=$(http_status)
  case "$code" in
    200|202)
      refused=0
      parse_command "$AGENT_STATE/answer"
      case "$cmd_command" in
        '') ;;
        none) case "$cmd_interval" in [1-9]*) INTERVAL=$cmd_interval ;; esac ;;
        exit) log "exit: no more heartbeats"; exec sleep 2147483647 ;;
        *) start_command ;;
      esac ;;
    *)
      refused=$((refused + 1))
      log "heartbeat: HTTP $code: $(head -c 300 "$AGENT_STATE/answer")"
      # A token Bifrost no longer accepts (it rebooted the node into a new boot, or forgot us): look up again.
      [ "$refused" -ge 3 ] && { refused=0; lookup; } ;;
  esac
  # Sleep the interval, but report a command's end at once.
  i=0
  while [ "$i" -lt "${INTERVAL:-5}" ]; do
    sleep 1; i=$((i + 1))
    [ "$(cmd_get status)" != "$last_status" ] && break
  done
done

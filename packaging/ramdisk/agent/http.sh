# HTTP/1.0 client of the deploy agent over `busybox nc` (busybox wget segfaults in an initramfs without glibc NSS).
# One request per connection; the server closes after the answer, so the body is everything after the headers.
# The status line and headers are read with the shell's `read`, which takes one byte at a time from a pipe and so
# leaves the body untouched; the body then goes through `cat` as a binary stream (never through sed or a variable).

# Where the last request's status, headers and errors go: the heartbeat loop and a command in the background each
# have their own (HTTP_DIR), or they would read each other's answers.
HTTP_DIR=${HTTP_DIR:-$AGENT_STATE}

# http_parse_url URL: sets url_host, url_port, url_path (http:// only; port 80 by default).
http_parse_url() {
  case "$1" in
    http://*) rest=${1#http://} ;;
    *) echo "unsupported URL (only http://): $1" >&2; return 1 ;;
  esac
  hostport=${rest%%/*}
  case "$rest" in */*) url_path=/${rest#*/} ;; *) url_path=/ ;; esac
  case "$hostport" in
    \[*\]:*) url_host=${hostport%]:*}; url_host=${url_host#[}; url_port=${hostport##*]:} ;;
    *:*) url_host=${hostport%:*}; url_port=${hostport##*:} ;;
    *) url_host=$hostport; url_port=80 ;;
  esac
  [ -n "$url_host" ] || { echo "no host in URL: $1" >&2; return 1; }
}

# http_request METHOD URL OUT [BODY_FILE [CONTENT_TYPE]] [-H 'Name: value']...: one request; the answer's body goes
# to OUT (a file or a fifo, opened in any case so a reader on a fifo never hangs), the status code to
# $HTTP_DIR/http.status, the headers to $HTTP_DIR/http.headers. Status 0 when an HTTP status line arrived
# (whatever the code), 1 on a connection error or garbage. HTTP_TIMEOUT (seconds, default none) bounds the exchange.
http_request() {
  method=$1; url=$2; out=$3; shift 3
  body=; ctype=
  if [ $# -gt 0 ] && [ "$1" != -H ]; then body=$1; shift; fi
  if [ $# -gt 0 ] && [ "$1" != -H ]; then ctype=$1; shift; fi
  http_parse_url "$url" || { : > "$out"; return 1; }
  : > "$HTTP_DIR/http.headers"
  echo 0 > "$HTTP_DIR/http.status"
  rm -f "$HTTP_DIR/http.done"
  {
    printf '%s %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: %s\r\nConnection: close\r\n' \
      "$method" "$url_path" "$url_host:$url_port" "$AGENT_VERSION"
    printf 'X-OpenStack-Ironic-API-Version: 1.68\r\n'
    while [ $# -ge 2 ] && [ "$1" = -H ]; do printf '%s\r\n' "$2"; shift 2; done
    if [ -n "$body" ]; then
      printf 'Content-Type: %s\r\nContent-Length: %s\r\n\r\n' "${ctype:-application/json}" "$(wc -c < "$body")"
      cat "$body"
    else
      printf '\r\n'
    fi
    # Keep nc's stdin open until the answer has been read: busybox nc half-closes the connection (FIN) as soon as its
    # stdin ends, and Kestrel takes a client's FIN as the end of the connection — it cuts the request body ("Unexpected
    # end of request content") or drops the answer (a lookup's one-time token lost). The reader marks the answer's end.
    waited=0
    while [ ! -e "$HTTP_DIR/http.done" ] && [ "$waited" -lt "${HTTP_TIMEOUT:-86400}0" ]; do
      sleep 0.1; waited=$((waited + 1))
    done
  } | ${HTTP_TIMEOUT:+timeout "$HTTP_TIMEOUT"} busybox nc -w 10 "$url_host" "$url_port" 2>"$HTTP_DIR/http.err" | {
    cr=$(printf '\r')
    IFS= read -r status_line
    set -- $status_line
    case "$1" in
      HTTP/1.*)
        echo "${2%"$cr"}" > "$HTTP_DIR/http.status"
        while IFS= read -r header; do
          header=${header%"$cr"}
          [ -z "$header" ] && break
          printf '%s\n' "$header" >> "$HTTP_DIR/http.headers"
        done
        cat ;;
      *) cat > /dev/null ;;
    esac
    : > "$HTTP_DIR/http.done"
  } > "$out"
  [ "$(cat "$HTTP_DIR/http.status")" != 0 ]
}

# What http_stream has nc run on the connected socket (its stdin and stdout): the request out; the status line and
# headers in with `read`, which takes one byte per read(2) and so leaves the body unread on the socket; then, for a
# 200 answer, the consumer reads the body straight from the socket. Arguments: DIR PATH HOST:PORT AGENT CONSUMER.
# The status file is written last, so a reader who sees it non-zero also sees every header.
HTTP_STREAM_READER='
dir=$1; path=$2; hostport=$3; agent=$4; consumer=$5
printf "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: %s\r\nConnection: close\r\nX-OpenStack-Ironic-API-Version: 1.68\r\n\r\n" \
  "$path" "$hostport" "$agent" || exit 1
cr=$(printf "\r")
IFS= read -r line || exit 1
line=${line%"$cr"}
case "$line" in "HTTP/1."[01]" "[0-9][0-9][0-9]*) ;; *) exit 1 ;; esac
code=${line#* }; code=${code%% *}
ended=
while IFS= read -r header; do
  header=${header%"$cr"}
  [ -z "$header" ] && { ended=1; break; }
  printf "%s\n" "$header" >> "$dir/http.headers"
done
[ -n "$ended" ] || exit 1
echo "$code" > "$dir/http.status"
[ "$code" = 200 ] || exit 0
(eval "$consumer") > /dev/null
rc=$?
echo "$rc" > "$dir/http.consumer"
exit "$rc"
'

# http_stream URL CONSUMER: GET URL and, when the answer is 200, run CONSUMER (shell text, run by `sh -c` with the
# socket as stdin and /dev/null as stdout; it sees exported variables only) on the body as it arrives. Unlike
# http_request there is no process between the network and the consumer: busybox nc runs the reader with -e in
# place of its own relay, which copies 1 KiB per poll/read/write round (3 syscalls per KiB: the transfer limit under
# TCG). Status code and headers as http_request; the consumer's exit status goes to $HTTP_DIR/http.consumer (absent
# when it did not run). Status 0 when a status line and all headers arrived, 1 on a connection error or garbage.
# The socket stays open both ways until the consumer is done, so Kestrel never sees the early FIN that http_request
# has to avoid. HTTP_STREAM_WATCH, when set, is a command run with the PID of nc (then of the shell that replaces it)
# while the transfer runs; it must return once that PID has ended.
http_stream() {
  http_parse_url "$1" || return 1
  : > "$HTTP_DIR/http.headers"
  echo 0 > "$HTTP_DIR/http.status"
  rm -f "$HTTP_DIR/http.consumer"
  busybox nc -w 10 "$url_host" "$url_port" -e sh -c "$HTTP_STREAM_READER" sh \
    "$HTTP_DIR" "$url_path" "$url_host:$url_port" "$AGENT_VERSION" "$2" < /dev/null > /dev/null 2>"$HTTP_DIR/http.err" &
  stream_pid=$!
  [ -z "${HTTP_STREAM_WATCH:-}" ] || $HTTP_STREAM_WATCH "$stream_pid"
  wait "$stream_pid"
  [ "$(cat "$HTTP_DIR/http.status")" != 0 ]
}

# http_status: the status code of the last request.
http_status() { cat "$HTTP_DIR/http.status"; }

# http_header NAME: a header of the last answer (case-insensitive name).
http_header() {
  grep -i "^$1:" "$HTTP_DIR/http.headers" | head -n1 | sed 's/^[^:]*:[[:space:]]*//'
}

# http_request_retry TRIES METHOD URL OUT [...]: http_request, retried with backoff (1, 2, 4 … 30 s) on connection
# errors; TRIES 0 = forever.
http_request_retry() {
  tries=$1; shift
  attempt=1; delay=1
  while :; do
    http_request "$@" && return 0
    if [ "$tries" != 0 ] && [ "$attempt" -ge "$tries" ]; then return 1; fi
    log "HTTP $1 $2: connection failed ($(head -c 200 "$HTTP_DIR/http.err" 2>/dev/null)); retrying in ${delay}s"
    sleep "$delay"
    attempt=$((attempt + 1)); delay=$((delay * 2)); [ "$delay" -gt 30 ] && delay=30
  done
}

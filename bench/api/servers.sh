# Sourced by run.sh: start, seed, measure and stop each server. Uses run.sh's helpers and variables.

ironic_phase() {  # the real Ironic: single process, SQLite, noauth, fake-hardware
  local dir=$WORK/ironic port base pid t0=$SECONDS
  port=$(free_port) base=http://127.0.0.1:$port
  mkdir -p "$dir/lock"
  sed -e "s|@DIR@|$dir|g" -e "s|@PORT@|$port|g" "$HERE/ironic.conf.in" > "$dir/ironic.conf"
  log "ironic: create_schema"
  $IRONIC_PY -c 'import sys; from ironic.cmd.dbsync import main; sys.exit(main())' \
    --config-file "$dir/ironic.conf" create_schema > "$dir/dbsync.log" 2>&1 || die "ironic dbsync ($dir/dbsync.log)"
  "${NICE[@]}" $IRONIC_PY -c 'from ironic.cmd.singleprocess import main; main()' --config-file "$dir/ironic.conf" \
    > "$dir/stdout.log" 2>&1 &
  pid=$!; PIDS+=("$pid")
  log "ironic: pid $pid, waiting for $base/v1"
  wait_ready "$base/v1" "$pid" "$dir/ironic.log"
  # bench-00001 through the API (a row exactly as Ironic writes it), then SQL clones of it.
  python3 "$HERE/seed_api.py" "$base" 1 1 1 >&2 || die "ironic: seeding bench-00001 through the API"
  sed "s/@NODES@/$NODES/" "$HERE/ironic_clone.sql.in" | sqlite3 -bail "$dir/ironic.db" >&2 || die "ironic: SQL seeding"
  log "ironic: seeded in $((SECONDS - t0)) s"
  bench_server ironic "$base" "$pid"
  stop_pid "$pid"
  log "ironic: done in $((SECONDS - t0)) s"
}

bifrost_phase() {  # Bifrost: Release build, own state dir, seeded through its API
  local dir=$WORK/bifrost port base pid seed t0=$SECONDS
  local bin=$REPO/src/Bifrost.Host/bin/Release/net10.0/bifrost
  port=$(free_port) base=http://127.0.0.1:$port
  mkdir -p "$dir/state"
  # Which daemon source was measured (the tree may have no commit yet, and changes while others work).
  fact src_hash "$(cd "$REPO" && find src -name '*.cs' -not -path '*/obj/*' | sort | xargs sha256sum | sha256sum | cut -c1-12)"
  if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    log "bifrost: dotnet build -c Release src/Bifrost.Host"
    dotnet build -c Release "$REPO/src/Bifrost.Host" > "$dir/build.log" 2>&1 ||
      { tail -20 "$dir/build.log" >&2; die "bifrost build ($dir/build.log)"; }
  fi
  [[ -x $bin ]] || die "no $bin"
  Bifrost__StateDir=$dir/state Bifrost__Api__Listen=127.0.0.1:$port "${NICE[@]}" "$bin" serve > "$dir/stdout.log" 2>&1 &
  pid=$!; PIDS+=("$pid")
  log "bifrost: pid $pid, waiting for $base/v1"
  wait_ready "$base/v1" "$pid" "$dir/stdout.log"
  seed=$("${NICE[@]}" python3 "$HERE/seed_api.py" "$base" 1 "$NODES" "$SEED_WORKERS") || die "bifrost: seeding through the API"
  log "bifrost: $seed"
  fact bifrost_seed "$seed"
  bench_server bifrost "$base" "$pid"
  kill -0 "$pid" 2>/dev/null || die "bifrost exited during the benchmark ($dir/stdout.log)"
  stop_pid "$pid"
  log "bifrost: done in $((SECONDS - t0)) s"
}

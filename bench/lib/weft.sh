# weft rows: two `weft run` node processes with temp data dirs, linked, with `weft expose` on one and
# `weft forward` on the other, measured with the same tools as the baselines. Every function returns
# non-zero when a weft command fails, and the caller turns that into a skipped row with the reason.

WEFT_JAR=${WEFT_JAR:-"$REPO/cli/target/weft.jar"}  # WEFT_JAR=/tmp/old.jar bench/run ... compares a build
declare -A WEFT_NS WEFT_PID WEFT_PORT WEFT_ID

weft_available() {
  [ -f "$WEFT_JAR" ] || { WEFT_WHY="cli/target/weft.jar is not built yet (mvn -q -B -pl cli -am package -DskipTests)"; return 1; }
}

# weft NODE ARGS...: the CLI against NODE's data dir, inside NODE's namespace if it has one.
weft() {
  local node=$1; shift
  local in_ns=()
  [ -z "${WEFT_NS[$node]:-}" ] || in_ns=(ip netns exec "${WEFT_NS[$node]}")
  "${in_ns[@]}" java -jar "$WEFT_JAR" --data "$BENCH_TMP/weft-$node" "$@"
}

# weft_start NODE BIND_HOST [NETNS [RUN_OPTION...]]: init and run a node listening on tcp and kcp at
# one port; any further arguments are passed to `weft run`.
weft_start() {
  local node=$1 bind=$2 ns=${3:-} dir="$BENCH_TMP/weft-$1" i
  shift $(($# < 3 ? $# : 3))
  rm -rf "$dir"
  WEFT_NS[$node]=$ns
  WEFT_PORT[$node]=$(free_port)
  weft "$node" init >/dev/null || return 1
  local in_ns=()
  [ -z "$ns" ] || in_ns=(ip netns exec "$ns")
  # The protective defaults (20 inbound handshakes/s per address, 8 streams per peer) would measure
  # the limits, not weft: the link rate row opens hundreds of streams from one address.
  start_bg "weft-$node" "${in_ns[@]}" "${WEFT_NODE_JAVA[@]:-java}" ${WEFT_JAVA_OPTS:-} -jar "$WEFT_JAR" --data "$dir" run \
    --listen "tcp:$bind:${WEFT_PORT[$node]}" --listen "kcp:$bind:${WEFT_PORT[$node]}" --admin "127.0.0.1:$(free_port)" \
    --handshake-rate 100000 --handshake-burst 100000 --max-pending-handshakes 1024 --max-streams-per-peer 1024 "$@"
  WEFT_PID[$node]=$BG_PID
  for i in $(seq 60); do
    weft "$node" status >/dev/null 2>&1 && break
    kill -0 "$BG_PID" 2>/dev/null || { log "weft run ($node) exited: $(tail -3 "$BENCH_TMP/weft-$node.log")"; return 1; }
    sleep 0.5
  done
  WEFT_ID[$node]=$(weft "$node" id) || return 1
}

weft_stop() {
  local node
  for node in "$@"; do stop_bg "${WEFT_PID[$node]:-}"; done
}

# weft_link FROM TO TRANSPORT HOST: one more stream; prints its id.
weft_link() {
  weft "$1" link "${WEFT_ID[$2]}" "$3:$4:${WEFT_PORT[$2]}"
}

# weft_tunnel FROM TO HOST TARGET_PORT...: TO exposes HOST:TARGET_PORT to FROM only; FROM forwards
# a port on its 127.0.0.1 to each. The local ports are left in TUNNEL_PORTS, in order (as ssh_tunnel).
weft_tunnel() {
  local from=$1 to=$2 host=$3 target port; shift 3
  TUNNEL_PORTS=()
  for target in "$@"; do
    port=$(free_port)
    weft "$to" expose "bench-$target" --to "$host:$target" --allow "${WEFT_ID[$from]}" >/dev/null || return 1
    weft "$from" forward "127.0.0.1:$port" "${WEFT_ID[$to]}" "bench-$target" >/dev/null || return 1
    TUNNEL_PORTS+=("$port")
  done
}

# weft_session_of NODE SERVICE: id and stream of the newest open session to SERVICE.
weft_session_of() {
  weft "$1" sessions --json | python3 -c '
import json, sys
open_ones = [s for s in json.load(sys.stdin) if s.get("service") == sys.argv[1] and s.get("state") == "OPEN"]
if not open_ones:
    sys.exit("no open session to " + sys.argv[1])
newest = max(open_ones, key=lambda s: s.get("opened", ""))
print(newest["id"], newest["stream"])' "$2"
}

# weft_stall SECTION ROW FROM ECHO_LOCAL_PORT SERVICE SETUP ACTION METRIC: RUNS times, SETUP runs,
# then 64-byte round trips run through the tunnel while ACTION (a function given SESSION STREAM, which
# sets DISTURBED_AT to the epoch ms of its disturbance) disturbs the session. The stall is the slowest
# round trip that ended after that moment, less the median round trip.
weft_stall() {
  local section=$1 row=$2 from=$3 port=$4 service=$5 setup=$6 action=$7 stalls=() r session stream stall
  for r in $(seq "$RUNS"); do
    "$setup" || return 1
    # Long enough for the CLI calls around the disturbance, which take seconds on a busy machine.
    start_bg watch "${TOOL[@]}" RttProbe watch 127.0.0.1 "$port" 20
    local watch=$BG_PID
    sleep 2
    read -r session stream < <(weft_session_of "$from" "$service") || { stop_bg "$watch"; return 1; }
    "$action" "$session" "$stream" || { stop_bg "$watch"; return 1; }
    wait "$watch" || { echo "the session broke: $(grep -v '^sample' "$BENCH_TMP/watch.log" | tail -2 | tr '\n' ' ')" >"$BENCH_TMP/action.log"; return 1; }
    stall=$(awk -v t="$DISTURBED_AT" '
      $1 == "sample" && $2 >= t && $3 > worst { worst = $3 }
      /^n=/ { split($2, p, "="); median = p[2] }
      END { if (worst > 0) printf "%.2f", (worst - median) / 1000; else exit 1 }' "$BENCH_TMP/watch.log") ||
      { echo "no round trip completed after the disturbance" >"$BENCH_TMP/action.log"; return 1; }
    stalls+=("$stall")
  done
  record "$section" "$row" "$8" ms "${stalls[@]}"
}

migrate_to_other() { # SESSION STREAM: move the session to whichever of the two streams it is not on
  local target=$WEFT_STREAM_KCP
  [ "$2" = "$WEFT_STREAM_KCP" ] && target=$WEFT_STREAM_TCP
  DISTURBED_AT=$(date +%s%3N)
  weft a migrate "$1" "$target" >/dev/null 2>"$BENCH_TMP/action.log"
}

# With the KCP stream gone, a new session can only open on the TCP stream.
drop_kcp_stream() {
  weft a unlink "$WEFT_STREAM_KCP" >/dev/null 2>"$BENCH_TMP/action.log"
}

kill_tcp_stream() { # SESSION STREAM: with a KCP stream back, reset the TCP stream under the session
  [ "$2" = "$WEFT_STREAM_TCP" ] || { echo "the session opened on $2, not on the TCP stream" >"$BENCH_TMP/action.log"; return 1; }
  WEFT_STREAM_KCP=$(weft_link a b kcp 127.0.0.1 2>"$BENCH_TMP/action.log") || return 1
  sleep 1
  DISTURBED_AT=$(date +%s%3N)
  # Both ends of every TCP connection to b's listener: the streams from a to b, nothing else.
  ss -K -t "( dport = :${WEFT_PORT[b]} or sport = :${WEFT_PORT[b]} )" >/dev/null
  # Relink, so that the next run again has a TCP stream to lose.
  WEFT_STREAM_TCP=$(weft_link a b tcp 127.0.0.1 2>"$BENCH_TMP/action.log")
}

# heap_used_kib PID: heap in use right after a full GC.
heap_used_kib() {
  jcmd "$1" GC.run >/dev/null && jcmd "$1" GC.heap_info | grep -o 'used [0-9]*K' | head -1 | tr -dc 0-9
}

weft_heap_per_session() {
  local section=$1 port=$2 sessions=$3 r a0 b0 a1 b1 fwd=() exp=()
  for r in $(seq "$RUNS"); do
    a0=$(heap_used_kib "${WEFT_PID[a]}") && b0=$(heap_used_kib "${WEFT_PID[b]}") || return 1
    start_bg hold "${TOOL[@]}" Fanout hold 127.0.0.1 "$port" "$sessions" 600
    local hold=$BG_PID
    wait_for_line "$BENCH_TMP/hold.log" '^holding' 300 "$hold" || { stop_bg "$hold"; return 1; }
    a1=$(heap_used_kib "${WEFT_PID[a]}") && b1=$(heap_used_kib "${WEFT_PID[b]}")
    stop_bg "$hold"
    # The nodes end the sessions as the sockets close: wait for that before the next baseline.
    weft_sessions_drained a && weft_sessions_drained b || return 1
    fwd+=("$(((a1 - a0) * 1024 / sessions))"); exp+=("$(((b1 - b0) * 1024 / sessions))")
  done
  record "$section" "forward side (weft forward)" "heap per idle session at $sessions" bytes "${fwd[@]}"
  record "$section" "expose side (weft expose)" "heap per idle session at $sessions" bytes "${exp[@]}"
}

# weft_sessions_drained NODE: true once NODE has no session left (within a minute).
weft_sessions_drained() {
  local i
  for i in $(seq 120); do
    [ "$(weft "$1" sessions --json | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')" = 0 ] && return 0
    sleep 0.5
  done
  echo "node $1 still has sessions a minute after the connections closed" >>"$BENCH_TMP/hold.log"
  return 1
}

# Heap per idle session: a pair of nodes of its own, whose per-peer caps admit HEAP_SESSIONS (the
# default small node admits 1,024 sessions per peer and 4,096 in all), against an echo target that
# holds ten thousand connections on one thread. The per-peer memory budget stays at its default:
# windows shrink to share it (docs/protocol.md), so this also shows that many sessions fit it.
# One peer may fill a node's session limit only up to three quarters (the rest is kept for peers
# below their guarantee), so the node's limit is a third above the sessions.
weft_heap_rows() {
  local sessions=$HEAP_SESSIONS fds caps echo_port
  fds=$(ulimit -n)
  if [ "$fds" != unlimited ] && [ "$fds" -lt $((sessions + 1000)) ]; then
    skip heap "weft forward/expose" "each node holds $sessions sockets, but ulimit -n is $fds"
    return 0
  fi
  caps=(--max-sessions-per-peer "$((sessions + 100))" --max-sessions-per-stream "$((sessions + 100))"
    --max-sessions "$(((sessions + 100) * 4 / 3 + 1))")
  echo_port=$(free_port)
  start_bg heap-echo "${TOOL[@]}" Fanout echo 127.0.0.1 "$echo_port"
  local echo_pid=$BG_PID
  wait_for_line "$BENCH_TMP/heap-echo.log" '^listening' 30 "$echo_pid" &&
    weft_start a 127.0.0.1 "" "${caps[@]}" && weft_start b 127.0.0.1 "" "${caps[@]}" &&
    weft_link a b tcp 127.0.0.1 >/dev/null && weft_tunnel a b 127.0.0.1 "$echo_port" ||
    { weft_stop a b; stop_bg "$echo_pid"; return 1; }
  weft_heap_per_session heap "${TUNNEL_PORTS[0]}" "$sessions" ||
    skip heap "weft forward/expose" "holding $sessions idle sessions failed: $(tail -1 "$BENCH_TMP/hold.log")"
  weft_stop a b
  stop_bg "$echo_pid"
}

# jdk_major HOME: the major version in a JDK's release file (JAVA_VERSION="25.0.1" -> 25).
jdk_major() { sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$1/release" 2>/dev/null; }

# jdk_java HOME: the java command of that JDK as the nodes run it. Netty 4.1 uses sun.misc.Unsafe
# and JNI; JDK 24+ warns about both unless allowed (as bin/weft does). Older JDKs do not know the flags.
jdk_java() {
  local major
  major=$(jdk_major "$1")
  JDK_JAVA=("$1/bin/java")
  [ "${major:-0}" -lt 24 ] || JDK_JAVA+=(--sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED)
}

# weft_newest_jdk: the home of the newest JDK under /usr/lib/jvm if it is newer than the default
# java (the one bin/weft would pick); fails if there is none.
weft_newest_jdk() {
  local home major best=0 found="" default
  default=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  for home in /usr/lib/jvm/*; do
    [ -x "$home/bin/java" ] || continue
    major=$(jdk_major "$home")
    [ "${major:-0}" -gt "$best" ] && best=$major found=$home
  done
  [ -n "$found" ] && [ "$best" -gt "${default:-0}" ] && echo "$found"
}

# The loopback weft rows; the targets (IPERF_PORT, ECHO_PORT, SOURCE_PORT) are already running.
# weft_loopback_rows [JDK]: with JDK (a JDK home), the nodes run on it and only the tunnel rows
# (throughput, round trips, parallel connections) are measured, under rows named after it.
weft_loopback_rows() {
  local row="weft forward (TCP stream)"
  local WEFT_NODE_JAVA=(java)
  if [ -n "${1:-}" ]; then
    row="weft forward (TCP stream, JDK $(jdk_major "$1"))"
    jdk_java "$1"
    WEFT_NODE_JAVA=("${JDK_JAVA[@]}")
  fi
  weft_start a 127.0.0.1 && weft_start b 127.0.0.1 || { weft_stop a b; return 1; }
  WEFT_STREAM_TCP=$(weft_link a b tcp 127.0.0.1) && weft_tunnel a b 127.0.0.1 "$IPERF_PORT" "$ECHO_PORT" "$SOURCE_PORT" ||
    { weft_stop a b; return 1; }
  local iperf=${TUNNEL_PORTS[0]} echo=${TUNNEL_PORTS[1]} source=${TUNNEL_PORTS[2]}
  PATH_PIDS="${WEFT_PID[a]} ${WEFT_PID[b]}" measure_throughput throughput "$row" 127.0.0.1 "$iperf"
  measure_rtt latency "$row" 127.0.0.1 "$echo" "$RTT_COUNT"
  measure_open latency "$row" 127.0.0.1 "$echo" "$OPEN_COUNT"
  measure_fanout sessions "$row" 127.0.0.1 "$source"
  [ -z "${1:-}" ] || { weft_stop a b; return 0; }

  weft_link_rate_rows

  if WEFT_STREAM_KCP=$(weft_link a b kcp 127.0.0.1); then
    : >"$BENCH_TMP/action.log"
    weft_stall migration "weft migrate between TCP and KCP" a "$echo" "bench-$ECHO_PORT" : migrate_to_other "migration pause" ||
      skip migration "weft migrate between TCP and KCP" "weft migrate failed: $(tail -1 "$BENCH_TMP/action.log")"
    : >"$BENCH_TMP/action.log"
    weft_stall migration "TCP stream reset (ss -K), KCP alive" a "$echo" "bench-$ECHO_PORT" drop_kcp_stream kill_tcp_stream "failover time" ||
      skip migration "TCP stream reset (ss -K), KCP alive" "no stall measured: $(tail -1 "$BENCH_TMP/action.log")"
  else
    skip migration "weft migrate / failover" "a second (KCP) stream could not be linked"
  fi

  weft_stop a b
}

# Links (full handshakes) per second. Through node a's admin API (each link a handshake, the mux's
# Hello exchange and the node's bookkeeping), after one unrecorded LinkRate of LINK_WARMUP links:
# the nodes' JIT compiles the handshake path only after thousands of links, and until then it takes
# half of a node's CPU. Then the link layer alone (bench/tools/linker/LinkerRate.java): a dialing
# and a listening Linker in two JVMs, no node, mux or admin API, with the CPU each spends per link.
LINK_WARMUP=${LINK_WARMUP:-10000}
weft_link_rate_rows() {
  local rates=() dialer=() listener=() r line target="tcp:127.0.0.1:${WEFT_PORT[b]}"
  "${TOOL[@]}" LinkRate "$BENCH_TMP/weft-a" "${WEFT_ID[b]}" "$target" 1000 64 "$LINK_WARMUP" >/dev/null ||
    log "links: the warm-up run failed"
  for r in $(seq "$RUNS"); do
    line=$("${TOOL[@]}" LinkRate "$BENCH_TMP/weft-a" "${WEFT_ID[b]}" "$target" 1000 64 500) &&
      rates+=("$(field links_per_s "$line")")
  done
  if [ ${#rates[@]} -gt 0 ]; then record links "weft link over TCP (admin API, 64 at once)" "links per second" links/s "${rates[@]}"
  else skip links "weft link over TCP" "linking through the admin API failed"; fi

  rates=()
  while read -r line; do
    rates+=("$(field links_per_s "$line")")
    dialer+=("$(field cpu_ms_per_link_dialer "$line")")
    listener+=("$(field cpu_ms_per_link_listener "$line")")
  done < <(java -cp "$WEFT_JAR" "$BENCH_DIR/tools/linker/LinkerRate.java" 3000 64 "$LINK_WARMUP" "$RUNS" 2>>"$BENCH_TMP/action.log")
  local row="weft Linker alone over TCP (library, 2 JVMs, 64 at once)"
  if [ ${#rates[@]} -gt 0 ]; then
    record links "$row" "links per second" links/s "${rates[@]}"
    record links "$row" "CPU per link, dialer" ms "${dialer[@]}"
    record links "$row" "CPU per link, listener" ms "${listener[@]}"
  else skip links "$row" "LinkerRate failed: $(tail -1 "$BENCH_TMP/action.log")"; fi
}

# Migration pause and failover time as the node reports them (MigrationDone.pauseMicros,
# Failover.millis), from bench/migration: two nodes in one JVM over real loopback TCP and KCP
# links, 8 sessions keeping both streams busy. Independent of the CLI, so it measures even while
# `weft migrate` cannot be driven from outside.
weft_migration_figures_rows() {
  local row="in one JVM (bench/migration: node API, 8 loaded sessions)" r out
  local pause50=() pause99=() fail50=() fail99=() wall50=()
  for r in $(seq "$RUNS"); do
    out=$(timeout 600 "$BENCH_DIR/migration" "$MIGRATIONS" "$FAILOVERS" 8 2>"$BENCH_TMP/migration.log") || {
      skip migration "$row" "bench/migration failed: $(grep -m1 -E 'Exception|Error' "$BENCH_TMP/migration.log" | cut -c1-200)"
      return
    }
    pause50+=("$(awk '/^migration pause/ { print $(NF-7) }' <<<"$out")")
    pause99+=("$(awk '/^migration pause/ { print $(NF-4) }' <<<"$out")")
    fail50+=("$(awk '/^failover, loss noticed/ { print $(NF-7) }' <<<"$out")")
    fail99+=("$(awk '/^failover, loss noticed/ { print $(NF-4) }' <<<"$out")")
    wall50+=("$(awk '/^failover, TCP reset/ { print $(NF-7) }' <<<"$out")")
  done
  record migration "$row" "migration pause p50 ($MIGRATIONS migrations)" µs "${pause50[@]}"
  record migration "$row" "migration pause p99" µs "${pause99[@]}"
  record migration "$row" "failover p50, loss noticed → resumed ($FAILOVERS resets)" ms "${fail50[@]}"
  record migration "$row" "failover p99, loss noticed → resumed" ms "${fail99[@]}"
  record migration "$row" "failover p50, reset → last session resumed" ms "${wall50[@]}"
}

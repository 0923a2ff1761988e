# Measurements of one TCP path, whatever carries it (direct, ssh -L, weft forward, a netns wire).
# Each takes the section and row it reports under, then where the path starts (HOST PORT), and runs
# RUNS times; the median goes into the results. NETNS, when set, runs the client inside that namespace.

IPERF_RESET_SECONDS=10

in_ns() { IN_NS=(); [ -z "${NETNS:-}" ] || IN_NS=(ip netns exec "$NETNS"); }
client() { in_ns; "${IN_NS[@]}" "$@"; }

iperf_MBps() { # HOST PORT [iperf3 options]: received MB/s (10^6 bytes) of one iperf3 run
  local host=$1 port=$2; shift 2
  client timeout $((DURATION + 20)) iperf3 -c "$host" -p "$port" -t "$DURATION" -J \
    --connect-timeout 10000 "$@" |
    python3 -c '
import json, sys
result = json.load(sys.stdin)
if "error" in result:
    sys.exit("iperf3: " + result["error"])
end = result["end"]
gigabytes = end["sum_received"]["bytes"] / 1e9
cpu = end["cpu_utilization_percent"]
with open(sys.argv[1], "w") as out:  # both iperf3 ends: their syscalls and the kernel TCP work charged to them
    out.write(str(round((cpu["host_total"] + cpu["remote_total"]) / 100 * end["sum_received"]["seconds"] / gigabytes, 3)))
print(round(end["sum_received"]["bits_per_second"] / 8e6, 1))' "$BENCH_TMP/iperf-cpu"
}

# cpu_ticks PID...: user + system CPU of these processes and all their descendants, in clock ticks.
cpu_ticks() {
  local pids=("$@") total=0 i=0 p
  while [ "$i" -lt ${#pids[@]} ]; do
    pids+=($(ps -o pid= --ppid "${pids[$i]}" 2>/dev/null))
    i=$((i + 1))
  done
  for p in "${pids[@]}"; do total=$((total + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0))); done
  echo "$total"
}

# measure_throughput SECTION ROW HOST PORT: iperf3 both ways through the path to an iperf3 server.
# With PATH_PIDS set (the tunnel's own processes: ssh and sshd, or the two weft nodes), also the CPU
# time they spend per GB carried, the figure a loaded machine distorts least.
measure_throughput() {
  local section=$1 row=$2 host=$3 port=$4 up=() down=() cpu=() ends=() r value before
  # One unrecorded run first, for every path alike: a JVM's first seconds through a path are its
  # JIT warming up (weft's first iperf3 run on a loaded machine was 11 MB/s, the next ones 164-396).
  iperf_MBps "$host" "$port" >/dev/null 2>&1 || sleep "$IPERF_RESET_SECONDS"
  for r in $(seq "$RUNS"); do
    [ -z "${PATH_PIDS:-}" ] || before=$(cpu_ticks $PATH_PIDS)
    # After a failed run the server may still hold the aborted test until its idle timeout.
    if value=$(iperf_MBps "$host" "$port"); then up+=("$value"); else sleep "$IPERF_RESET_SECONDS"; continue; fi
    ends+=("$(cat "$BENCH_TMP/iperf-cpu")")
    [ -z "${PATH_PIDS:-}" ] || cpu+=("$(python3 -c "print(round($(($(cpu_ticks $PATH_PIDS) - before)) / $(getconf CLK_TCK) / ($value * $DURATION / 1000), 3))")")
    if value=$(iperf_MBps "$host" "$port" -R); then down+=("$value"); else sleep "$IPERF_RESET_SECONDS"; fi
  done
  [ ${#up[@]} -gt 0 ] && record "$section" "$row" "throughput client→server" MB/s "${up[@]}"
  [ ${#down[@]} -gt 0 ] && record "$section" "$row" "throughput server→client" MB/s "${down[@]}"
  [ ${#cpu[@]} -gt 0 ] && record "$section" "$row" "tunnel CPU per GB, client→server" core-s/GB "${cpu[@]}"
  [ ${#ends[@]} -gt 0 ] && record "$section" "$row" "iperf3 ends' CPU per GB, client→server" core-s/GB "${ends[@]}"
  [ ${#up[@]} -gt 0 ] || [ ${#down[@]} -gt 0 ] || { skip "$section" "$row" "iperf3 failed through this path"; return 1; }
}

# measure_rtt SECTION ROW HOST PORT COUNT: 64-byte request/response round trips to an echo server.
measure_rtt() {
  local section=$1 row=$2 host=$3 port=$4 count=$5 p50=() p99=() r line
  for r in $(seq "$RUNS"); do
    line=$(client timeout 300 "${TOOL[@]}" RttProbe rtt "$host" "$port" "$count") || continue
    p50+=("$(field p50_us "$line")"); p99+=("$(field p99_us "$line")")
  done
  [ ${#p50[@]} -gt 0 ] || { skip "$section" "$row" "the RTT probe failed through this path"; return 1; }
  record "$section" "$row" "64 B RTT p50" µs "${p50[@]}"
  record "$section" "$row" "64 B RTT p99" µs "${p99[@]}"
}

# measure_open SECTION ROW HOST PORT COUNT: new connection + first 1-byte round trip, each time.
measure_open() {
  local section=$1 row=$2 host=$3 port=$4 count=$5 p50=() p99=() r line
  for r in $(seq "$RUNS"); do
    line=$(client timeout 300 "${TOOL[@]}" RttProbe open "$host" "$port" "$count") || continue
    p50+=("$(field p50_us "$line")"); p99+=("$(field p99_us "$line")")
  done
  [ ${#p50[@]} -gt 0 ] || { skip "$section" "$row" "opening connections through this path failed"; return 1; }
  record "$section" "$row" "open + first RTT p50" µs "${p50[@]}"
  record "$section" "$row" "open + first RTT p99" µs "${p99[@]}"
}

# measure_fanout SECTION ROW HOST PORT: 1, 10, 100, 1000 parallel downloads from a Fanout source.
measure_fanout() {
  local section=$1 row=$2 host=$3 port=$4 conns total=() jain=() r line
  for conns in $FANOUT_CONNS; do
    total=(); jain=()
    for r in $(seq "$RUNS"); do
      line=$(client timeout $((FANOUT_SECONDS + 120)) "${TOOL[@]}" Fanout sink "$host" "$port" "$conns" "$FANOUT_SECONDS") || continue
      total+=("$(field total_MBps "$line")"); jain+=("$(field jain "$line")")
    done
    if [ ${#total[@]} -eq 0 ]; then
      skip "$section" "$row" "$conns parallel connections failed through this path"
      continue
    fi
    record "$section" "$row" "$conns conns aggregate" MB/s "${total[@]}"
    record "$section" "$row" "$conns conns Jain" index "${jain[@]}"
  done
}

# Targets every path is measured against, listening on 127.0.0.1 (or BIND) in the current namespace.
start_targets() {
  local bind=${1:-127.0.0.1} prefix=${2:-target}
  IPERF_PORT=$(free_port); ECHO_PORT=$(free_port); SOURCE_PORT=$(free_port)
  in_ns
  start_bg "$prefix-iperf3" "${IN_NS[@]}" iperf3 -s --forceflush --idle-timeout "$IPERF_RESET_SECONDS" \
    -B "$bind" -p "$IPERF_PORT"
  start_bg "$prefix-echo" "${IN_NS[@]}" "${TOOL[@]}" RttProbe serve "$bind" "$ECHO_PORT"
  start_bg "$prefix-source" "${IN_NS[@]}" "${TOOL[@]}" Fanout source "$bind" "$SOURCE_PORT"
  wait_for_line "$BENCH_TMP/$prefix-echo.log" '^listening' 30 &&
    wait_for_line "$BENCH_TMP/$prefix-source.log" '^listening' 30 &&
    wait_for_line "$BENCH_TMP/$prefix-iperf3.log" 'listening' 30
}

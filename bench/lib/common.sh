# Shared by every bench/lib file: temp space, background processes, ports, waiting, results.
# Every process the harness starts is recorded by pid and ended by pid on exit (bench_cleanup).

BENCH_PIDS=()
BENCH_CLEANUPS=()

bench_init() {
  BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/weft-bench.XXXXXX")
  BENCH_RESULTS="$BENCH_TMP/results.tsv"
  : >"$BENCH_RESULTS"
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

# Runs one registered clean-up command (netns removal, ssh stop) when the harness exits.
on_exit() { BENCH_CLEANUPS+=("$*"); }

bench_cleanup() {
  local pid i
  for pid in "${BENCH_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${BENCH_PIDS[@]}"; do
    for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  done
  for ((i = ${#BENCH_CLEANUPS[@]} - 1; i >= 0; i--)); do
    eval "${BENCH_CLEANUPS[$i]}" 2>/dev/null || true
  done
  [ -n "${BENCH_TMP:-}" ] && rm -rf "$BENCH_TMP"
}

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# start_bg NAME COMMAND...: run in the background, output to $BENCH_TMP/NAME.log, pid in $BG_PID.
start_bg() {
  local name=$1; shift
  "$@" >"$BENCH_TMP/$name.log" 2>&1 &
  BG_PID=$!
  BENCH_PIDS+=("$BG_PID")
}

stop_bg() {
  local pid=$1 i
  kill "$pid" 2>/dev/null || return 0
  for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

# wait_for_line FILE REGEX SECONDS [PID]: true once FILE has a matching line; false at the deadline
# or as soon as PID (the process writing FILE) has exited without writing it.
wait_for_line() {
  local file=$1 pattern=$2 deadline=$((SECONDS + $3)) pid=${4:-}
  while ((SECONDS < deadline)); do
    grep -qE "$pattern" "$file" 2>/dev/null && return 0
    [ -z "$pid" ] || kill -0 "$pid" 2>/dev/null || { grep -qE "$pattern" "$file" 2>/dev/null; return; }
    sleep 0.1
  done
  return 1
}

# wait_for_port PORT SECONDS [NETNS [HOST]]: true once something accepts on HOST:PORT (127.0.0.1).
wait_for_port() {
  local port=$1 deadline=$((SECONDS + $2)) ns=${3:-} host=${4:-127.0.0.1}
  while ((SECONDS < deadline)); do
    if [ -n "$ns" ]; then
      ip netns exec "$ns" bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null && return 0
    else
      (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null && return 0
    fi
    sleep 0.1
  done
  return 1
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

median() { # numbers on stdin, one a line
  sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit 1; print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# field NAME LINE: the value of NAME=VALUE in a tool's one-line report.
field() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p"; }

# record SECTION ROW METRIC UNIT VALUE...: the median of several runs, with every run kept. Fewer
# than two successful runs is no median: the row is reported as not measured instead.
record() {
  local section=$1 row=$2 metric=$3 unit=$4; shift 4
  local med
  if [ $# -lt 2 ]; then
    skip "$section" "$row" "$metric: only $# run(s) succeeded, no median"
    return 1
  fi
  med=$(printf '%s\n' "$@" | median) || return 1
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$section" "$row" "$metric" "$unit" "$med" "$*" >>"$BENCH_RESULTS"
  log "$section | $row | $metric = $med $unit (runs: $*)"
}

# skip SECTION ROW REASON: the row appears in the report as not measured, with the reason.
skip() {
  printf '%s\t%s\t-\t-\tnot measured\t%s\n' "$1" "$2" "$(tr '\t\n' '  ' <<<"$3")" >>"$BENCH_RESULTS"
  log "$1 | $2 | skipped: $3"
}

# The tools are compiled once; each also runs alone as `java bench/tools/NAME.java`.
compile_tools() {
  mkdir -p "$BENCH_TMP/classes"
  javac -d "$BENCH_TMP/classes" "$BENCH_DIR"/tools/*.java
  TOOL=(java -Xss512k -cp "$BENCH_TMP/classes")
}

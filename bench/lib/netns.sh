# Two network namespaces joined by an emulated wire (bench/tools/wire.py) that adds delay and loss.
# The kernels here lack sch_netem, so the impairments are applied by wire.py between two TUN devices.
# Addresses come from 198.18.0.0/15 (reserved for benchmarking, RFC 2544) and exist only inside
# these namespaces; the host's own interfaces and routes are never touched.

NETNS_LEFT_ADDR=198.18.0.1
NETNS_RIGHT_ADDR=198.18.0.2

netns_available() {
  [ "$(id -u)" = 0 ] || { NETNS_WHY="needs root"; return 1; }
  [ -c /dev/net/tun ] || { NETNS_WHY="no /dev/net/tun"; return 1; }
  local probe="weftbench-$$-probe"
  ip netns add "$probe" 2>/dev/null || { NETNS_WHY="'ip netns add' is not permitted here"; return 1; }
  ip netns del "$probe"
}

# Namespaces left by a harness that was killed before its clean-up ran.
netns_sweep_stale() {
  local name pid
  for name in $(ip netns list | awk '{print $1}' | grep -E '^weftbench-[0-9]+-(a|b)$'); do
    pid=${name#weftbench-}; pid=${pid%-*}
    kill -0 "$pid" 2>/dev/null || ip netns del "$name"
  done
}

# netns_pair_up: creates NETNS_LEFT and NETNS_RIGHT and the wire between them (NETNS_WIRE_IN/OUT).
netns_pair_up() {
  netns_sweep_stale
  NETNS_LEFT="weftbench-$$-a"
  NETNS_RIGHT="weftbench-$$-b"
  on_exit netns_pair_down
  local ns me peer
  for ns in "$NETNS_LEFT" "$NETNS_RIGHT"; do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    ip -n "$ns" tuntap add dev wire0 mode tun
  done
  ip -n "$NETNS_LEFT" addr add "$NETNS_LEFT_ADDR" peer "$NETNS_RIGHT_ADDR" dev wire0
  ip -n "$NETNS_RIGHT" addr add "$NETNS_RIGHT_ADDR" peer "$NETNS_LEFT_ADDR" dev wire0
  for ns in "$NETNS_LEFT" "$NETNS_RIGHT"; do ip -n "$ns" link set wire0 up; done
  coproc NETNS_WIRE { exec python3 "$BENCH_DIR/tools/wire.py" "$NETNS_LEFT" wire0 "$NETNS_RIGHT" wire0 2>&1; }
  BENCH_PIDS+=("$NETNS_WIRE_PID")
  NETNS_WIRE_IN=${NETNS_WIRE[1]}
  NETNS_WIRE_OUT=${NETNS_WIRE[0]}
  local line
  read -r -t 10 line <&"$NETNS_WIRE_OUT" && [ "$line" = ready ] || { log "wire did not start: $line"; return 1; }
}

# netns_impair SETTINGS...: e.g. netns_impair delay=25 loss=1 (each direction).
netns_impair() {
  local line
  echo "impair both $*" >&"$NETNS_WIRE_IN"
  read -r -t 10 line <&"$NETNS_WIRE_OUT" && [ "$line" = ok ] || { log "wire refused '$*': $line"; return 1; }
}

# netns_congestion_control NAME: TCP's congestion control in both namespaces (per namespace in Linux).
netns_congestion_control() {
  local ns
  for ns in "$NETNS_LEFT" "$NETNS_RIGHT"; do
    ip netns exec "$ns" sysctl -q -w net.ipv4.tcp_congestion_control="$1" >/dev/null 2>&1 || return 1
  done
}

netns_pair_down() {
  local ns pid
  for ns in "${NETNS_LEFT:-}" "${NETNS_RIGHT:-}"; do
    [ -n "$ns" ] || continue
    # Only processes this harness started can be inside its namespaces.
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
}

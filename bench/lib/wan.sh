# The emulated WAN's throughput rows: every path up at once (direct TCP, `ssh -L` aes128-gcm, weft
# over a TCP stream, weft over a KCP stream), measured in interleaved rounds so that load from
# elsewhere on the machine falls on every path alike; medians per path. For the paths carried by
# one TCP connection, `ss -tinm` is sampled in the client's namespace every 100 ms during each run:
# the evidence for a row that misses its target (bench/tools/ss_evidence.py).

declare -A WAN_HOST WAN_PORT WAN_SS WAN_ECHO

# wan_paths_up SECTION: the four paths from NETNS_LEFT to the targets in NETNS_RIGHT; WAN_ROWS lists
# those that came up, and each that did not is skipped with its reason under SECTION. The weft rows'
# echo ports are left in WAN_ECHO[tcp] and WAN_ECHO[kcp].
wan_paths_up() {
  local section=$1
  WAN_ROWS=("TCP direct")
  WAN_HOST["TCP direct"]=$NETNS_RIGHT_ADDR WAN_PORT["TCP direct"]=$IPERF_PORT WAN_SS["TCP direct"]=$IPERF_PORT
  if NETNS=$NETNS_RIGHT ssh_server_start "$NETNS_RIGHT_ADDR" &&
    NETNS=$NETNS_LEFT TARGET_HOST=$NETNS_RIGHT_ADDR ssh_tunnel aes128-gcm@openssh.com "$IPERF_PORT"; then
    WAN_ROWS+=("ssh -L aes128-gcm")
    WAN_HOST["ssh -L aes128-gcm"]=127.0.0.1 WAN_PORT["ssh -L aes128-gcm"]=${TUNNEL_PORTS[0]} WAN_SS["ssh -L aes128-gcm"]=$SSH_PORT
  else
    skip "$section" "ssh -L aes128-gcm" "ssh -L did not come up in the namespaces: $(tail -2 "$BENCH_TMP"/ssh*.log | tr '\n' ' ')"
  fi
  [ -n "$WEFT_READY" ] || { skip "$section" "weft" "$WEFT_WHY"; return 0; }
  local transport left right
  for transport in tcp kcp; do
    left=wan-$transport-a right=wan-$transport-b
    if weft_start "$left" "$NETNS_LEFT_ADDR" "$NETNS_LEFT" && weft_start "$right" "$NETNS_RIGHT_ADDR" "$NETNS_RIGHT" &&
      weft_link "$left" "$right" "$transport" "$NETNS_RIGHT_ADDR" >/dev/null &&
      weft_tunnel "$left" "$right" "$NETNS_RIGHT_ADDR" "$IPERF_PORT" "$ECHO_PORT"; then
      WAN_ROWS+=("weft over $transport")
      WAN_HOST["weft over $transport"]=127.0.0.1 WAN_PORT["weft over $transport"]=${TUNNEL_PORTS[0]}
      WAN_ECHO[$transport]=${TUNNEL_PORTS[1]}
      [ "$transport" = tcp ] && WAN_SS["weft over tcp"]=${WEFT_PORT[$right]}
    else
      skip "$section" "weft over $transport" "a weft command failed: $(tail -2 "$BENCH_TMP/weft-$left.log" 2>/dev/null | tr '\n' ' ')"
    fi
  done
}
wan_paths_down() {
  weft_stop wan-tcp-a wan-tcp-b wan-kcp-a wan-kcp-b
  stop_bg "${SSH_TUNNEL_PID:-}"
  stop_bg "${SSH_SERVER_PID:-}"
}

# ss_watch PORT: samples `ss -tinm` of connections to PORT in NETNS_LEFT every 100 ms until stopped.
ss_watch() {
  ip netns exec "$NETNS_LEFT" bash -c 'while :; do echo "# $(date +%s%3N)"; ss -tinmH dport = :'"$1"'; sleep 0.1; done' \
    >"$BENCH_TMP/ss.txt" 2>/dev/null &
  SS_WATCH_PID=$!
  BENCH_PIDS+=("$SS_WATCH_PID")
}

# wan_throughput SECTION: two unrecorded rounds of one run per path (warm-up: each section's weft
# nodes are new, and after one 5 s run their JIT had not finished: the first recorded KCP round
# was the low one in every section), then RUNS rounds of one iperf3 client→server run per path;
# records medians and the ss evidence.
wan_throughput() {
  local section=$1 row r value evidence name
  local -A up ss
  for r in 1 2; do
    for row in "${WAN_ROWS[@]}"; do
      NETNS=$NETNS_LEFT iperf_MBps "${WAN_HOST[$row]}" "${WAN_PORT[$row]}" >/dev/null 2>&1 || sleep "$IPERF_RESET_SECONDS"
    done
  done
  for r in $(seq "$RUNS"); do
    for row in "${WAN_ROWS[@]}"; do
      [ -z "${WAN_SS[$row]:-}" ] || ss_watch "${WAN_SS[$row]}"
      if value=$(NETNS=$NETNS_LEFT iperf_MBps "${WAN_HOST[$row]}" "${WAN_PORT[$row]}"); then
        up[$row]+="$value "
      else
        sleep "$IPERF_RESET_SECONDS"
      fi
      [ -z "${WAN_SS[$row]:-}" ] && continue
      stop_bg "$SS_WATCH_PID"
      evidence=$(python3 "$BENCH_DIR/tools/ss_evidence.py" "$BENCH_TMP/ss.txt" 2>/dev/null) || continue
      for name in cwnd_p50 rate_p50_MBps notsent_max_kB retrans rwnd_limited_pct; do ss[$row.$name]+="$(field "$name" "$evidence") "; done
    done
  done
  for row in "${WAN_ROWS[@]}"; do
    # shellcheck disable=SC2086 # the runs, one word each
    record "$section" "$row" "throughput client→server" MB/s ${up[$row]:-}
    [ -n "${ss[$row.cwnd_p50]:-}" ] || continue
    record "$section" "$row" "ss cwnd p50" segments ${ss[$row.cwnd_p50]}
    record "$section" "$row" "ss delivery rate p50" MB/s ${ss[$row.rate_p50_MBps]}
    record "$section" "$row" "ss notsent max" kB ${ss[$row.notsent_max_kB]}
    record "$section" "$row" "ss retransmits" segments ${ss[$row.retrans]}
    record "$section" "$row" "ss receive-window limited" % ${ss[$row.rwnd_limited_pct]}
  done
}

# wan_beside_tcp SECTION: weft over KCP and direct TCP at once (the direct flow to a second iperf3
# server), RUNS times: a KCP flow, with no congestion window, must not starve a TCP flow beside it.
wan_beside_tcp() {
  local section=$1 kcp=() tcp=() r port value
  [ -n "${WAN_PORT[weft over kcp]:-}" ] || return 0
  port=$(free_port)
  start_bg netns-iperf3-beside ip netns exec "$NETNS_RIGHT" iperf3 -s --forceflush -B "$NETNS_RIGHT_ADDR" -p "$port"
  local server=$BG_PID
  wait_for_line "$BENCH_TMP/netns-iperf3-beside.log" 'listening' 30 ||
    { stop_bg "$server"; skip "$section" "weft over kcp beside TCP" "the second iperf3 server did not start"; return 1; }
  for r in $(seq "$RUNS"); do
    NETNS=$NETNS_LEFT iperf_MBps "$NETNS_RIGHT_ADDR" "$port" >"$BENCH_TMP/beside.txt" 2>/dev/null &
    local direct=$!
    value=$(NETNS=$NETNS_LEFT iperf_MBps 127.0.0.1 "${WAN_PORT[weft over kcp]}") && kcp+=("$value")
    wait "$direct" && tcp+=("$(cat "$BENCH_TMP/beside.txt")")
  done
  stop_bg "$server"
  record "$section" "weft over kcp" "throughput beside a direct TCP flow" MB/s "${kcp[@]}"
  record "$section" "TCP direct" "throughput beside weft over kcp" MB/s "${tcp[@]}"
}

# wan_idle_row SECTION: a new session through weft over TCP after IDLE seconds with nothing on the
# link: the time from its start until a 100 ms interval first carries 90 % of the rate the same run
# settles at (the median of its second half), RUNS times.
wan_idle_row() {
  local section=$1 row="weft over tcp" r took=() value
  [ -n "${WAN_PORT[$row]:-}" ] || return 0
  for r in $(seq "$RUNS"); do
    sleep "$IDLE_SECONDS"
    value=$(NETNS=$NETNS_LEFT client timeout 40 iperf3 -c 127.0.0.1 -p "${WAN_PORT[$row]}" -t 3 -i 0.1 -J |
      python3 -c '
import json, statistics, sys
intervals = [i["sum"] for i in json.load(sys.stdin)["intervals"]]
rates = [i["bits_per_second"] for i in intervals]
steady = statistics.median(rates[len(rates) // 2:])
print(round(next(i["end"] for i, r in zip(intervals, rates) if r >= 0.9 * steady) * 1000))') && took+=("$value")
  done
  record "$section" "$row" "new session after ${IDLE_SECONDS} s idle: to 90 % rate" ms "${took[@]}"
}

# A private OpenSSH server on a free port, and `ssh -L` tunnels through it. NETNS, when set, runs
# the server (ssh_server_start) or the client (ssh_tunnel) inside that namespace.
# Its host key, user key and config live in the harness's temp dir; the system's ssh setup is untouched.

# ssh_server_start [ADDRESS]: listens on ADDRESS (default 127.0.0.1), left in SSH_ADDR.
ssh_server_start() {
  SSH_ADDR=${1:-127.0.0.1}
  SSH_DIR="$BENCH_TMP/ssh"
  mkdir -p "$SSH_DIR" && chmod 700 "$SSH_DIR"
  ssh-keygen -q -t ed25519 -N '' -f "$SSH_DIR/host_key"
  ssh-keygen -q -t ed25519 -N '' -f "$SSH_DIR/user_key"
  cp "$SSH_DIR/user_key.pub" "$SSH_DIR/authorized_keys"
  SSH_PORT=$(free_port)
  cat >"$SSH_DIR/sshd_config" <<EOF
Port $SSH_PORT
ListenAddress $SSH_ADDR
HostKey $SSH_DIR/host_key
PidFile $SSH_DIR/sshd.pid
AuthorizedKeysFile $SSH_DIR/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
AllowTcpForwarding yes
Ciphers aes128-gcm@openssh.com,chacha20-poly1305@openssh.com
Compression no
LogLevel ERROR
EOF
  # sshd refuses to start without its privilege-separation directory; it is empty and harmless.
  mkdir -p /run/sshd
  in_ns
  start_bg sshd "${IN_NS[@]}" "$(command -v sshd)" -D -e -f "$SSH_DIR/sshd_config"
  SSH_SERVER_PID=$BG_PID
  wait_for_port "$SSH_PORT" 15 "${NETNS:-}" "$SSH_ADDR"
}

# ssh_tunnel CIPHER TARGET_PORT...: one ssh process forwarding a local port to each target on
# TARGET_HOST (default 127.0.0.1, as the server sees it); the local ports are left in
# TUNNEL_PORTS, in the same order.
ssh_tunnel() {
  local cipher=$1; shift
  local forwards=() target port
  TUNNEL_PORTS=()
  for target in "$@"; do
    port=$(free_port)
    forwards+=(-L "127.0.0.1:$port:${TARGET_HOST:-127.0.0.1}:$target")
    TUNNEL_PORTS+=("$port")
  done
  in_ns
  start_bg "ssh-$cipher" "${IN_NS[@]}" ssh -F /dev/null -N -T -p "$SSH_PORT" -i "$SSH_DIR/user_key" \
    -o BatchMode=yes -o IdentitiesOnly=yes -o UserKnownHostsFile="$SSH_DIR/known_hosts" \
    -o StrictHostKeyChecking=accept-new -o ExitOnForwardFailure=yes -o Compression=no \
    -o Ciphers="$cipher" "${forwards[@]}" "$(id -un)@$SSH_ADDR"
  SSH_TUNNEL_PID=$BG_PID
  for port in "${TUNNEL_PORTS[@]}"; do
    wait_for_port "$port" 15 "${NETNS:-}" || return 1
  done
}

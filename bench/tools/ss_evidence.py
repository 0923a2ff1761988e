#!/usr/bin/env python3
"""What the kernel said about a TCP connection during a run: `ss -tinm` samples, summarised.

Usage: ss_evidence.py FILE
FILE holds `ss -tinmH` output sampled repeatedly, each sample after a line "# <epoch ms>". The
connection that sent the most bytes is the one measured (an iperf3 run has a quiet control
connection beside its data connection). Prints one line of NAME=VALUE:
    samples      samples of that connection
    cwnd_p50     congestion window, segments (median over samples)
    rtt_p50_ms   smoothed RTT the kernel measured
    rate_p50_MBps  delivery rate (MB/s, 10^6 bytes)
    bbr_bw_p50_MBps  BBR's bottleneck bandwidth estimate, when BBR runs (else 0)
    notsent_max_kB   most bytes written by the application but not yet sent
    retrans      segments retransmitted during the run (last sample less first)
    rwnd_limited_pct  share of the time spent sending that the receiver's window held it back:
                 high means the receiving end (its reads), low with much not sent means the
                 congestion window
Exits non-zero when no sample had a connection.
"""
import re
import statistics
import sys

RATE_UNITS = {"bps": 1, "Kbps": 1e3, "Mbps": 1e6, "Gbps": 1e9}


def rate(text):
    """'9378520bps' or '24.9Mbps' in MB/s."""
    match = re.fullmatch(r"([\d.]+)([KMG]?bps)", text)
    return float(match.group(1)) * RATE_UNITS[match.group(2)] / 8e6 if match else None


def connection(text):
    """The figures of one connection's `ss -i` text, and its addresses as "peer"."""
    fields = {"peer": " ".join(text.split()[3:5])}
    for name, pattern in (("cwnd", r"\bcwnd:(\d+)"), ("rtt", r"\brtt:([\d.]+)/"),
                          ("sent", r"\bbytes_sent:(\d+)"), ("notsent", r"\bnotsent:(\d+)"),
                          ("retrans", r"\bretrans:\d+/(\d+)"), ("busy", r"\bbusy:(\d+)ms"),
                          ("rwnd_limited", r"\brwnd_limited:(\d+)ms")):
        match = re.search(pattern, text)
        fields[name] = float(match.group(1)) if match else 0.0
    delivery = re.search(r"\bdelivery_rate ([\d.]+[KMG]?bps)", text)
    fields["rate"] = rate(delivery.group(1)) if delivery else 0.0
    bbr = re.search(r"\bbbr:\(bw:([\d.]+[KMG]?bps)", text)
    fields["bbr"] = rate(bbr.group(1)) if bbr else 0.0
    return fields


def parse(lines):
    """The samples of the connection that sent the most: a connection's lines end where the next
    one or the next sample starts."""
    connections, text = [], None
    for line in lines + ["# end"]:
        if line[:1].isspace():
            text = (text or "") + " " + line
            continue
        if text is not None:
            connections.append(connection(text))
            text = None
        if line.strip() and not line.startswith("# "):
            text = line
    if not connections:
        return []
    busiest = max(connections, key=lambda c: c["sent"])["peer"]
    return [c for c in connections if c["peer"] == busiest]


def main(path):
    with open(path) as f:
        taken = parse(f.read().splitlines())
    if not taken:
        sys.exit("no connection in " + path)
    median = lambda key: statistics.median(c[key] for c in taken)
    print(f"samples={len(taken)} cwnd_p50={median('cwnd'):.0f} rtt_p50_ms={median('rtt'):.1f} "
          f"rate_p50_MBps={median('rate'):.1f} bbr_bw_p50_MBps={median('bbr'):.1f} "
          f"notsent_max_kB={max(c['notsent'] for c in taken) / 1000:.0f} "
          f"retrans={max(0, taken[-1]['retrans'] - taken[0]['retrans']):.0f} "
          f"rwnd_limited_pct={share(taken, 'rwnd_limited'):.0f}")


def share(taken, key):
    """How much of the time the connection was busy sending during the run it spent limited by
    {key}, in % (the kernel counts both since the connection started)."""
    busy = taken[-1]["busy"] - taken[0]["busy"]
    return 100 * (taken[-1][key] - taken[0][key]) / busy if busy > 0 else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])

#!/usr/bin/env python3
"""Turns bench/run's results into the generated part of docs/benchmarks.md and docs/bench-*.png.

Usage: report.py RESULTS_TSV MACHINE_TSV DOCS_DIR
RESULTS_TSV rows: section, row, metric, unit, median, all runs (space separated) — or, for a row
that could not be measured: section, row, "-", "-", "not measured", reason.
Only the text between the two marker lines in benchmarks.md is replaced; the rest is hand-written.
"""
import os
import subprocess
import sys
import tempfile
from collections import OrderedDict

BEGIN = "<!-- bench/run: generated from here -->"
END = "<!-- bench/run: generated up to here -->"
REFERENCE = "ssh -L aes128-gcm"
RATIO_SECTIONS = {"throughput", "latency", "sessions"}
TITLES = {
    "throughput": "Bulk throughput, one connection (iperf3, loopback)",
    "latency": "Round trip and connection opening (loopback)",
    "sessions": "Parallel connections (path · count): aggregate throughput and Jain's fairness index (loopback)",
    "links": "Links (full handshakes) per second",
    "migration": "Migration pause and failover time",
    "heap": "Heap per idle session",
}


def load(path):
    measured, skipped = OrderedDict(), []
    with open(path) as lines:
        for line in lines:
            section, row, metric, unit, median, runs = line.rstrip("\n").split("\t")
            if median == "not measured":
                skipped.append((section, row, runs))
                continue
            if section == "sessions":  # one row per path and count, so the table stays narrow
                count, _, metric = metric.partition(" conns ")
                row = f"{row} · {count}"
            measured.setdefault(section, OrderedDict()).setdefault(row, OrderedDict())[metric] = (
                float(median), unit, runs)
    return measured, skipped


def number(value, unit=""):
    if unit == "index":
        return f"{value:.3f}"
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}" if value < 1 else f"{value:.1f}"


def netns_loss(section):
    """'netns 5' or 'netns 5 reno' → ('5', '' or ', TCP congestion control reno')."""
    words = section.split()
    return words[1], f", TCP congestion control {words[2]}" if len(words) > 2 else ""


def section_title(section):
    if section.startswith("netns "):
        loss, cc = netns_loss(section)
        return f"Emulated WAN: 50 ms RTT, {loss} % loss each way (two namespaces{cc})"
    return TITLES.get(section, section)


def table(section, rows):
    metrics = list(OrderedDict((m, None) for row in rows.values() for m in row))
    units = {m: unit for row in rows.values() for m, (_, unit, _) in row.items()}
    ratios = section in RATIO_SECTIONS and any(name.startswith(REFERENCE) for name in rows)
    out = ["| | " + " | ".join(f"{m} ({units[m]})" for m in metrics) + " |",
           "|---|" + "---:|" * len(metrics)]
    for name, values in rows.items():
        reference = rows.get(REFERENCE + name[name.find(" · "):] if " · " in name else REFERENCE, {})
        cells = []
        for metric in metrics:
            if metric not in values:
                cells.append("–")
                continue
            value = values[metric][0]
            cell = number(value, units[metric])
            base = reference.get(metric) if ratios and not name.startswith(REFERENCE) else None
            if base and base[0] and units[metric] != "index":
                cell += f" ({value / base[0]:.2f}×)"
            cells.append(cell)
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    if ratios:
        out.append("")
        out.append(f"(×) = ratio to `{REFERENCE}` in the same run; for latency, lower is better.")
    return "\n".join(out)


def gnuplot(script):
    subprocess.run(["gnuplot"], input=script, text=True, check=True)


def plot_sessions(measured, docs, scratch):
    paths = OrderedDict()
    for name, metrics in measured.get("sessions", {}).items():
        path, _, count = name.partition(" · ")
        if "aggregate" in metrics:
            paths.setdefault(path, []).append((int(count), metrics["aggregate"][0]))
    series = []
    for name, points in paths.items():
        points.sort()
        if points:
            data = os.path.join(scratch, f"sessions-{len(series)}.dat")
            with open(data, "w") as out:
                out.writelines(f"{x} {y}\n" for x, y in points)
            series.append(f"'{data}' using 1:2 with linespoints lw 2 title '{name}'")
    if not series:
        return None
    target = os.path.join(docs, "bench-throughput-vs-sessions.png")
    gnuplot(f"""set terminal pngcairo size 900,540 font 'sans,11'
set output '{target}'
set title 'Aggregate throughput vs parallel connections (loopback, median of runs)'
set logscale x; set xlabel 'parallel connections'; set ylabel 'MB/s (10^6 bytes)'
set yrange [0:*]; set grid; set key outside right
plot {', '.join(series)}
""")
    return os.path.basename(target)


def plot_rtt(sections, title, filename, docs, scratch, measured, unit="µs"):
    """Clustered bars of RTT p50 and p99 for every row of the given sections (one cluster each)."""
    scale = 1000.0 if unit == "ms" else 1.0
    data = os.path.join(scratch, filename + ".dat")
    count = 0
    with open(data, "w") as out:
        for section in sections:
            prefix = " ".join(section.split()[1:2] + ["% loss"] + section.split()[2:]) + ": " if section.startswith("netns ") else ""
            for name, metrics in measured.get(section, {}).items():
                p50 = metrics.get("64 B RTT p50")
                p99 = metrics.get("64 B RTT p99")
                if p50 and p99:
                    out.write(f"\"{prefix}{name}\" {p50[0] / scale} {p99[0] / scale}\n")
                    count += 1
    if not count:
        return None
    target = os.path.join(docs, filename)
    gnuplot(f"""set terminal pngcairo size {max(900, 120 * count)},540 font 'sans,10'
set output '{target}'
set title '{title}'
set style data histograms; set style histogram clustered gap 1; set style fill solid 0.8 border -1
set logscale y; set ylabel '{"microseconds" if unit == "µs" else "milliseconds"} (log scale)'; set grid ytics
set key top left
set xtics rotate by -25
plot '{data}' using 2:xtic(1) title 'p50', '' using 3 title 'p99'
""")
    return os.path.basename(target)


def value(measured, section, row, metric):
    entry = measured.get(section, {}).get(row, {}).get(metric)
    return entry[0] if entry else None


def targets(measured):
    """Issue 6's targets, each with what this run measured and whether it is met (the tunnel ones
    once per JDK the weft nodes ran on)."""
    variants = [row for row in measured.get("throughput", {}) if row.startswith("weft forward (TCP stream")]
    ssh_up = value(measured, "throughput", REFERENCE, "throughput client→server")
    ssh_rtt = value(measured, "latency", REFERENCE, "64 B RTT p50")
    checks = []
    for weft in variants or ["weft forward (TCP stream)"]:
        jdk = weft[len("weft forward (TCP stream"):].strip(", )")
        on = f" — nodes on {jdk}" if jdk else (" — nodes on the default JDK" if len(variants) > 1 else "")
        weft_up = value(measured, "throughput", weft, "throughput client→server")
        one = value(measured, "sessions", f"{weft} · 1", "aggregate")
        thousand = value(measured, "sessions", f"{weft} · 1000", "aggregate")
        jain = value(measured, "sessions", f"{weft} · 1000", "Jain")
        rtt = value(measured, "latency", weft, "64 B RTT p50")
        checks += [
            (f"one session ≥ 1.5× `ssh -L` aes128-gcm (client→server){on}",
             weft_up and ssh_up and (f"{weft_up / ssh_up:.2f}×", weft_up >= 1.5 * ssh_up)),
            (f"1,000 sessions aggregate ≥ 90 % of one session{on}",
             one and thousand and (f"{100 * thousand / one:.0f} %", thousand >= 0.9 * one)),
            (f"1,000 sessions Jain's index ≥ 0.95{on}", jain is not None and (f"{jain:.3f}", jain >= 0.95)),
            (f"64 B RTT p50 no worse than `ssh -L`{on}",
             rtt and ssh_rtt and (f"{rtt:.0f} µs vs {ssh_rtt:.0f} µs", rtt <= ssh_rtt)),
        ]
    links = next((v["links per second"][0] for v in measured.get("links", {}).values()), None)
    heap = [v for rows in measured.get("heap", {}).values() for m, v in rows.items() if m.startswith("heap")]
    kcp, tcp, direct = (value(measured, "netns 5", row, "64 B RTT p99")
                        for row in ("weft over kcp", "weft over tcp", "TCP direct"))
    checks += [
        ("≥ 1,000 links per second", links and (f"{links:.0f}/s", links >= 1000)),
        ("≤ 2 KiB heap per idle session (each node)",
         heap and (" / ".join(f"{v[0]:.0f} B" for v in heap), all(v[0] <= 2048 for v in heap))),
        # Issue 14: at or below the 0.30× it was, against TCP through weft and direct alike.
        ("weft over KCP: RTT p99 at 5 % loss ≤ 0.30× weft over TCP's",
         kcp and tcp and (f"{kcp / tcp:.2f}×", kcp <= 0.3 * tcp)),
        ("weft over KCP: RTT p99 at 5 % loss ≤ 0.30× direct TCP's",
         kcp and direct and (f"{kcp / direct:.2f}×", kcp <= 0.3 * direct)),
    ]
    checks += wan_targets(measured)
    lines = ["| target | this run | met |", "|---|---:|:---:|"]
    for name, result in checks:
        shown, met = result if result else ("not measured", None)
        lines.append(f"| {name} | {shown} | {'–' if met is None else 'yes' if met else '**no**'} |")
    return "\n".join(lines)


def wan_targets(measured):
    """Issue 14's throughput targets across the emulated WAN, per loss rate (and congestion control)."""
    checks = []
    metric = "throughput client→server"
    for section in (s for s in measured if s.startswith("netns ")):
        loss, cc = netns_loss(section)
        at = f" at {loss} % loss{cc}"
        direct, ssh, tcp, kcp = (value(measured, section, row, metric)
                                 for row in ("TCP direct", REFERENCE, "weft over tcp", "weft over kcp"))
        kcp_goal = 0.8 if float(loss) == 0 else 1.0
        checks += [
            (f"weft over TCP ≥ 0.9× direct TCP{at}", tcp and direct and (f"{tcp / direct:.2f}×", tcp >= 0.9 * direct)),
            (f"weft over TCP ≥ `ssh -L`{at}", tcp and ssh and (f"{tcp:.1f} vs {ssh:.1f} MB/s", tcp >= ssh)),
            (f"weft over KCP ≥ {kcp_goal:g}× direct TCP{at}",
             kcp and direct and (f"{kcp / direct:.2f}×", kcp >= kcp_goal * direct)),
        ]
        for name, metrics in measured[section].get("weft over tcp", {}).items():
            if name.startswith("new session after"):
                checks.append((f"weft over TCP: {name} ≤ 1 s{at}",
                               (f"{metrics[0]:.0f} ms", metrics[0] <= 1000)))
    return checks


def write(measured, skipped, machine, docs):
    parts = [BEGIN, "", "### Machine and run", "", "| | |", "|---|---|"]
    parts += [f"| {key} | {value} |" for key, value in machine]
    plots = []
    with tempfile.TemporaryDirectory() as scratch:
        plots.append(plot_sessions(measured, docs, scratch))
        plots.append(plot_rtt(["latency"], "64-byte request/response RTT (loopback, median of runs)",
                              "bench-rtt-percentiles.png", docs, scratch, measured))
        netns = [s for s in measured if s.startswith("netns ")]
        plots.append(plot_rtt(netns, "64-byte RTT across the emulated WAN (50 ms RTT)",
                              "bench-netns-rtt.png", docs, scratch, measured, unit="ms"))
    parts += ["", "### Targets (issues 6 and 14)", "", targets(measured)]
    for section, rows in measured.items():
        parts += ["", f"### {section_title(section)}", "", table(section, rows)]
    if any(plots):
        parts += ["", "### Plots", ""] + [f"![{p}]({p})" for p in plots if p]
    if skipped:
        parts += ["", "### Not measured in this run", ""]
        parts += [f"- {section_title(section)} — {row}: {reason}" for section, row, reason in skipped]
    parts += ["", "<details><summary>Every run (section, row, metric, unit, median, runs)</summary>", "", "```"]
    for section, rows in measured.items():
        for name, metrics in rows.items():
            for metric, (median, unit, runs) in metrics.items():
                parts.append(f"{section} | {name} | {metric} | {number(median, unit)} {unit} | {runs}")
    parts += ["```", "", "</details>", "", END]
    generated = "\n".join(parts)

    path = os.path.join(docs, "benchmarks.md")
    text = open(path).read() if os.path.exists(path) else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text or END not in text:
        text = text.rstrip("\n") + f"\n\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    with open(path, "w") as out:
        out.write(head + generated + tail)


def main(results, machine_file, docs):
    measured, skipped = load(results)
    with open(machine_file) as lines:
        machine = [tuple(line.rstrip("\n").split("\t", 1)) for line in lines if "\t" in line]
    write(measured, skipped, machine, docs)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])

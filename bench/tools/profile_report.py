#!/usr/bin/env python3
"""Summarises bench/profile: throughput, CPU per GB and where each node's CPU samples fall.

Usage: profile_report.py IPERF3_JSON CLK_TCK "LABEL=CPU_TICKS=COLLAPSED_STACKS"...
A sample counts in the first category whose marker appears anywhere in its stack, so the order
below matters: kernel TCP under a cipher call is still the cipher's caller's business, but a
syscall is a syscall wherever it is made from.
"""
import json
import sys
from collections import Counter, OrderedDict

CATEGORIES = OrderedDict([
    ("JIT compiler threads", ["CompileBroker::", "C2Compiler::", "Compiler::compile"]),
    ("GC", ["G1", "GCTaskThread", "WorkerThread::run", "ConcurrentGCThread"]),
    ("AES-GCM (JDK)", ["com/sun/crypto/provider/", "ghash_processBlocks", "counterMode_AESCrypt", "aescrypt_"]),
    ("socket receive (syscall + kernel TCP)", ["__sys_recvfrom", "tcp_recvmsg", "ksys_read", "do_readv"]),
    ("socket send (syscall + kernel TCP)", ["__sys_sendto", "tcp_sendmsg", "ksys_write", "do_writev"]),
    ("epoll wait / wake-ups", ["epoll_wait", "epollWait", "eventfd", "futex"]),
    ("memory copies in Java", ["jbyte_disjoint_arraycopy", "jlong_disjoint_arraycopy", "arrayof_jbyte", "Unsafe_CopyMemory", "copyMemory"]),
    ("weft link (framing, Noise)", ["dev/weft/link/"]),
    ("weft mux (frames, sessions, flow control)", ["dev/weft/mux/"]),
    ("weft node (bridge)", ["dev/weft/node/"]),
    ("Netty (pipeline, buffers, event loop)", ["io/netty/"]),
])


def categorise(path):
    counts, total = Counter(), 0
    with open(path) as stacks:
        for line in stacks:
            stack, _, n = line.rstrip("\n").rpartition(" ")
            n = int(n)
            total += n
            counts[next((name for name, marks in CATEGORIES.items() if any(m in stack for m in marks)), "other")] += n
    return counts, total


def main():
    result = json.load(open(sys.argv[1]))["end"]["sum_received"]
    gigabytes = result["bytes"] / 1e9
    ticks_per_second = int(sys.argv[2])
    print(f"throughput: {result['bytes'] / result['seconds'] / 1e6:,.0f} MB/s over {result['seconds']:.1f} s")
    for spec in sys.argv[3:]:
        label, ticks, path = spec.split("=", 2)
        seconds = int(ticks) / ticks_per_second
        counts, total = categorise(path)
        print(f"\n{label}: {seconds:.2f} CPU s, {seconds / gigabytes:.3f} core-s per GB, {total} samples")
        for name in list(CATEGORIES) + ["other"]:
            if counts[name]:
                print(f"  {100 * counts[name] / total:5.1f} %  {name}")


if __name__ == "__main__":
    main()

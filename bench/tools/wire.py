#!/usr/bin/env python3
"""An emulated cable between two network namespaces, with netem-style impairments.

The kernels this project runs on are built without sch_netem, so `tc netem` cannot add delay or
loss. Instead each namespace gets a TUN device, and this process carries IP packets between the
two devices, delaying, dropping, duplicating or reordering them on the way. Packets leave a TUN
device one IP packet at a time (no offloads), so loss and delay apply per packet, as on a wire.

Usage: wire.py NS_A DEV_A NS_B DEV_B
The devices must already exist as persistent TUN devices (`ip -n NS tuntap add dev DEV mode tun`).
Commands, one per line on stdin; each is answered with "ok" or "error: ..." on stdout:
    impair DIRECTION [delay=MS] [loss=PCT] [reorder=PCT] [duplicate=PCT] [limit=PACKETS]
    clear DIRECTION
DIRECTION is a>b, b>a or both. "ready" is printed once both devices are attached.
The process exits when stdin closes, so a crashed parent never leaves it behind.
"""
import ctypes
import fcntl
import heapq
import os
import random
import selectors
import struct
import sys
import time

CLONE_NEWNET = 0x40000000
TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
MAX_PACKET = 65536

libc = ctypes.CDLL("libc.so.6", use_errno=True)


def enter_namespace(name):
    fd = os.open(f"/var/run/netns/{name}", os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns into {name} failed")
    finally:
        os.close(fd)


def attach_tun(device):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", device.encode(), IFF_TUN | IFF_NO_PI))
    return fd


class Impairment:
    """One direction's behaviour; the defaults are a perfect wire (like netem's defaults)."""

    def __init__(self, delay=0.0, loss=0.0, reorder=0.0, duplicate=0.0, limit=1000):
        self.delay = delay / 1000.0
        self.loss = loss / 100.0
        self.reorder = reorder / 100.0
        self.duplicate = duplicate / 100.0
        self.limit = int(limit)

    @staticmethod
    def parse(fields):
        values = {}
        for field in fields:
            key, _, value = field.partition("=")
            if key not in ("delay", "loss", "reorder", "duplicate", "limit") or not value:
                raise ValueError(f"unknown setting {field!r}")
            number = float(value)
            if number < 0 or (key in ("loss", "reorder", "duplicate") and number > 100):
                raise ValueError(f"{key} out of range: {value}")
            values[key] = number
        return Impairment(**values)


class Direction:
    """Packets read from one device, held until due, then written to the other."""

    def __init__(self, source, sink):
        self.source = source
        self.sink = sink
        self.impairment = Impairment()
        self.queue = []
        self.sequence = 0

    def receive(self, packet, now):
        rule = self.impairment
        if random.random() < rule.loss:
            return
        copies = 2 if random.random() < rule.duplicate else 1
        for _ in range(copies):
            if len(self.queue) >= rule.limit:
                return
            # Like netem: a reordered packet skips the delay and so overtakes those held back.
            due = now if random.random() < rule.reorder else now + rule.delay
            self.sequence += 1
            heapq.heappush(self.queue, (due, self.sequence, packet))

    def release(self, now):
        while self.queue and self.queue[0][0] <= now:
            _, _, packet = heapq.heappop(self.queue)
            try:
                os.write(self.sink, packet)
            except (BlockingIOError, OSError):
                pass  # device down or its queue full: the packet is lost, as on a real link

    def next_due(self):
        return self.queue[0][0] if self.queue else None


def handle_command(line, directions):
    words = line.split()
    if not words:
        return None
    verb, targets = words[0], words[1] if len(words) > 1 else ""
    chosen = {"a>b": ["a>b"], "b>a": ["b>a"], "both": ["a>b", "b>a"]}.get(targets)
    if verb not in ("impair", "clear") or chosen is None:
        raise ValueError(f"unknown command {line.strip()!r}")
    impairment = Impairment.parse(words[2:]) if verb == "impair" else Impairment()
    for key in chosen:
        directions[key].impairment = impairment
    return "ok"


def main(ns_a, dev_a, ns_b, dev_b):
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    enter_namespace(ns_a)
    fd_a = attach_tun(dev_a)
    enter_namespace(ns_b)
    fd_b = attach_tun(dev_b)
    libc.setns(home, CLONE_NEWNET)
    os.close(home)

    directions = {"a>b": Direction(fd_a, fd_b), "b>a": Direction(fd_b, fd_a)}
    selector = selectors.DefaultSelector()
    selector.register(fd_a, selectors.EVENT_READ, directions["a>b"])
    selector.register(fd_b, selectors.EVENT_READ, directions["b>a"])
    selector.register(sys.stdin, selectors.EVENT_READ, None)
    print("ready", flush=True)

    while True:
        dues = [d.next_due() for d in directions.values() if d.next_due() is not None]
        timeout = max(0.0, min(dues) - time.monotonic()) if dues else None
        for key, _ in selector.select(timeout):
            if key.data is None:
                line = sys.stdin.readline()
                if not line:
                    return
                try:
                    reply = handle_command(line, directions)
                except ValueError as problem:
                    reply = f"error: {problem}"
                if reply:
                    print(reply, flush=True)
                continue
            now = time.monotonic()
            for _ in range(64):  # drain a burst per wake-up, but stay fair to the other side
                try:
                    packet = os.read(key.fd, MAX_PACKET)
                except BlockingIOError:
                    break
                except OSError:
                    break  # device went down: nothing to carry until it is up again
                key.data.receive(packet, now)
        now = time.monotonic()
        for direction in directions.values():
            direction.release(now)


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    main(*sys.argv[1:])

"""Spoofed-source UDP flood for SpoofedKcpFloodTest: raw IPv4 datagrams (IP_HDRINCL) whose source
addresses are forged from 198.18.0.0/24, every fourth one the real peer's address, each carrying a
KCP segment like a dialer's first (hello and handshake message 1, 64 bytes).

usage: spoof_flood.py DEST_IP DEST_PORT SECONDS PER_SECOND REAL_PEER_IP
prints: PACKETS UDP_PAYLOAD_BYTES
"""
import os
import random
import socket
import struct
import sys
import time


def datagram(src, sport, dst, dport):
    conv = random.getrandbits(32) | 1
    data = b"weft\x00\x01" + struct.pack(">H", 32) + os.urandom(32)
    kcp = struct.pack("<IBBHIIII", conv, 81, 0, 128, 0, 0, 0, len(data)) + data
    udp = struct.pack(">HHHH", sport, dport, 8 + len(kcp), 0) + kcp  # checksum 0: none (IPv4)
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, socket.IPPROTO_UDP, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))  # the kernel fills id and checksum
    return ip + udp, len(kcp)


def main():
    dst, dport, seconds, rate, real = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    raw.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    packets = payload = 0
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        src = real if packets % 4 == 0 else "198.18.0.%d" % random.randint(3, 254)
        packet, length = datagram(src, random.randint(1024, 65535), dst, dport)
        raw.sendto(packet, (dst, 0))
        packets += 1
        payload += length
        ahead = packets / rate - (time.monotonic() - start)
        if ahead > 0:
            time.sleep(ahead)
    print(packets, payload, flush=True)


main()

#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Send exactly COUNT crafted frames of one kind out of an interface (AF_PACKET, raw): what a
rogue guest sends, for the port guard's tests (tests/integration/guard.sh).

  guardsend.py IFACE KIND COUNT --src MAC [--ip ADDR] [--target ADDR] [--ip-options]
               [--hop-by-hop] [--dst MAC]

KIND:
  dhcp-offer  IPv4 UDP 67 -> 68, a BOOTREPLY with option 53 = OFFER, --ip the server's
              address, yiaddr --target (--ip-options: a 4-byte NOP/EOL option in the IP header)
  arp-reply   a gratuitous ARP reply: sender MAC --src, sender IP --ip, broadcast
  ra          an IPv6 router advertisement from fe80:: of --src to ff02::1, with a prefix
              option 2001:db8:77::/64 (--hop-by-hop: behind a hop-by-hop options header)
  na          an unsolicited IPv6 neighbour advertisement for --target (IPv6), to ff02::1
  plain       an IPv4 UDP frame 10.77.0.99:5000 -> 255.255.255.255:5001 (passes every check
              but allowed-mac)

Checksums are real (IPv4 header, ICMPv6), so a stack that receives a frame takes it. Prints
"sent N" and exits 0 only when every frame went out.
"""
import argparse
import ipaddress
import socket
import struct
import sys


def mac_bytes(text):
    parts = text.split(":")
    if len(parts) != 6:
        raise argparse.ArgumentTypeError(f"bad MAC address {text!r}")
    return bytes(int(p, 16) for p in parts)


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def eth(dst, src, ethertype):
    return dst + src + struct.pack("!H", ethertype)


def ipv4(src, dst, proto, payload, options=b""):
    ihl = 5 + len(options) // 4
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, 4 * ihl + len(payload), 1, 0, 64,
                      proto, 0, ipaddress.IPv4Address(src).packed,
                      ipaddress.IPv4Address(dst).packed) + options
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def link_local(mac):
    eui = bytes([mac[0] ^ 2]) + mac[1:3] + b"\xff\xfe" + mac[3:6]
    return ipaddress.IPv6Address(b"\xfe\x80" + b"\0" * 6 + eui)


def ipv6_icmp(src, dst, icmp, hop_by_hop=False):
    """IPv6 + ICMPv6 (checksummed), optionally behind an 8-byte hop-by-hop header."""
    pseudo = src.packed + dst.packed + struct.pack("!I3xB", len(icmp), 58)
    icmp = icmp[:2] + struct.pack("!H", csum(pseudo + icmp)) + icmp[4:]
    nh, ext = 58, b""
    if hop_by_hop:
        ext = struct.pack("!BB6s", 58, 0, b"\x01\x04\0\0\0\0")  # PadN of 4
        nh = 0
    payload = ext + icmp
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), nh, 255, src.packed,
                       dst.packed) + payload


def frame(kind, args):
    src = args.src
    bcast = b"\xff" * 6
    all_nodes = ipaddress.IPv6Address("ff02::1")
    if kind == "dhcp-offer":
        bootp = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 2, 1, 6, 0, 0x1234, 0, 0,
                            b"\0" * 4, ipaddress.IPv4Address(args.target).packed,
                            ipaddress.IPv4Address(args.ip).packed, b"\0" * 4, src, b"", b"")
        opts = b"\x63\x82\x53\x63" + b"\x35\x01\x02" + b"\x36\x04" + \
            ipaddress.IPv4Address(args.ip).packed + b"\xff"
        ip_opts = b"\x01\x01\x01\x00" if args.ip_options else b""
        return eth(bcast, src, 0x0800) + ipv4(args.ip, "255.255.255.255", 17,
                                              udp(67, 68, bootp + opts), ip_opts)
    if kind == "arp-reply":
        ip = ipaddress.IPv4Address(args.ip).packed
        return eth(bcast, src, 0x0806) + struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 2,
                                                     src, ip, bcast, ip)
    if kind == "ra":
        ra = struct.pack("!BBHBBHII", 134, 0, 0, 64, 0, 1800, 0, 0)
        src_ll = struct.pack("!BB6s", 1, 1, src)
        prefix = struct.pack("!BBBBIII16s", 3, 4, 64, 0xC0, 86400, 14400, 0,
                             ipaddress.IPv6Address("2001:db8:77::").packed)
        return eth(b"\x33\x33\0\0\0\x01", src, 0x86DD) + \
            ipv6_icmp(link_local(src), all_nodes, ra + src_ll + prefix, args.hop_by_hop)
    if kind == "na":
        target = ipaddress.IPv6Address(args.target)
        na = struct.pack("!BBHI16s", 136, 0, 0, 0x20000000, target.packed) + \
            struct.pack("!BB6s", 2, 1, src)
        return eth(b"\x33\x33\0\0\0\x01", src, 0x86DD) + \
            ipv6_icmp(link_local(src), all_nodes, na, args.hop_by_hop)
    if kind == "plain":
        return eth(args.dst or bcast, src, 0x0800) + \
            ipv4("10.77.0.99", "255.255.255.255", 17, udp(5000, 5001, b"x" * 18))
    raise SystemExit(f"guardsend.py: unknown kind {kind!r}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("iface")
    ap.add_argument("kind")
    ap.add_argument("count", type=int)
    ap.add_argument("--src", type=mac_bytes, required=True)
    ap.add_argument("--dst", type=mac_bytes)
    ap.add_argument("--ip", default="10.77.0.66")
    ap.add_argument("--target", default="10.77.0.150")
    ap.add_argument("--ip-options", action="store_true")
    ap.add_argument("--hop-by-hop", action="store_true")
    args = ap.parse_args()
    data = frame(args.kind, args)
    if len(data) < 60:
        data += b"\0" * (60 - len(data))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((args.iface, 0))
    sent = 0
    for _ in range(args.count):
        if s.send(data) == len(data):
            sent += 1
    print(f"sent {sent}")
    return 0 if sent == args.count else 1


if __name__ == "__main__":
    sys.exit(main())

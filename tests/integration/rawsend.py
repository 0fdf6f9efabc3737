#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Send exactly COUNT crafted Ethernet frames out of an interface (AF_PACKET, raw).

The kernel here has no pktgen and no 802.1Q module, so the namespace tests make their
frames in user space: any size, tagged or not, and runts cut short on purpose (root may send
frames shorter than an Ethernet header: CAP_SYS_RAWIO).

  rawsend.py IFACE COUNT --src MAC --dst MAC [--vlan VID] [--size BYTES] [--pps N]
             [--runt BYTES]

--size is the frame without FCS (60 is the smallest Ethernet frame). --runt sends only the
first BYTES of the frame instead. --pps paces the frames; 0 (default) sends them back to
back. Prints "sent N" and exits 0 only when every frame went out.
"""
import argparse
import socket
import struct
import sys
import time

ETH_P_EXPERIMENTAL = 0x88B5  # IEEE 802 local experimental: no stack answers it


def mac_bytes(text):
    parts = text.split(":")
    if len(parts) != 6:
        raise argparse.ArgumentTypeError(f"bad MAC address {text!r}")
    return bytes(int(p, 16) for p in parts)


def build_frame(args):
    head = mac_bytes(args.dst) + mac_bytes(args.src)
    if args.vlan is not None:
        head += struct.pack("!HH", 0x8100, args.vlan)
    head += struct.pack("!H", ETH_P_EXPERIMENTAL)
    frame = head + bytes(max(0, args.size - len(head)))
    if args.runt is not None:
        frame = frame[: args.runt]
    return frame


def send_one(s, frame, i, paced):
    """True once the frame went out; False on an error (a paced stream goes on)."""
    while True:
        try:
            if s.send(frame) == len(frame):
                return True
            print(f"rawsend: short send at frame {i}", file=sys.stderr)
            return False
        except BlockingIOError:
            time.sleep(0.0005)  # the qdisc is full: wait, never lose a frame here
        except OSError as e:
            if not paced:  # a link going down under a paced stream is expected
                print(f"rawsend: frame {i}: {e}", file=sys.stderr)
            return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("iface")
    ap.add_argument("count", type=int)
    ap.add_argument("--src", required=True)
    ap.add_argument("--dst", required=True)
    ap.add_argument("--vlan", type=int)
    ap.add_argument("--size", type=int, default=60)
    ap.add_argument("--runt", type=int)
    ap.add_argument("--pps", type=float, default=0)
    args = ap.parse_args()

    frame = build_frame(args)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((args.iface, 0))
    gap = 1.0 / args.pps if args.pps > 0 else 0
    start = time.monotonic()
    sent = 0
    for i in range(args.count):
        if gap:
            delay = start + i * gap - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        if send_one(s, frame, i, args.pps > 0):
            sent += 1
        elif not args.pps:
            return 1
    print(f"sent {sent}")
    return 0 if sent == args.count or args.pps else 1


if __name__ == "__main__":
    sys.exit(main())

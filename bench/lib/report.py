#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Statistics for bench/run.

  report.py header --csv FILE          write the CSV header
  report.py judge --csv FILE k=v ...   turn one measurement's raw counters into a CSV row,
                                       or refuse it and say why; prints one summary line.
                                       Exit 0 a number, 10 worth another try (disturbed,
                                       failed, loop died), 11 refused (flooding)
  report.py report --dir DIR           results.md and chart.png from DIR/results.csv and
                                       DIR/machine.json; exit 1 if a contender has no number
                                       in some row
"""
import argparse
import csv
import json
import math
import os
import statistics
import sys

CONTENDERS = ["lanswitch", "ovs", "testpmd", "base"]
LABEL = {"lanswitch": "lanswitch", "ovs": "OVS-DPDK", "testpmd": "testpmd io (limit)",
         "base": "lanswitch (base)"}
ROW_LABEL = {
    "64B": "64 B, 2 MACs", "512B": "512 B, 2 MACs", "1518B": "1518 B, 2 MACs",
    "macs2": "64 B, 2 MACs (lsgen)", "macs1024": "64 B, 1 024 MACs",
    "macs4096": "64 B, 4 096 MACs", "macs65536": "64 B, 65 536 MACs",
    "ports4": "64 B, 4 guest ports in 2 pairs",
    "lat10": "latency at 10% of peak", "lat90": "latency at 90% of peak",
    "outage": "restart outage, default guests",
    "outage-keep": "restart outage, arp_evict_nocarrier=0",
}
FIELDS = ["contender", "row", "rep", "try", "status", "mpps", "gbps", "frames", "window_s",
          "sw_busy_pct", "sw_cycles_per_pkt", "guest_busy_pct", "guest_core_pct",
          "idle_rx", "idle_pct", "sw_idle_tx", "sw_drops", "foreign_pct", "steal_pct",
          "size", "macs", "ports", "note",
          # latency rows (open loop) and outage rows (restart under real guests)
          "offered_mpps", "lat_samples", "lat_median_us", "lat_p99_us", "lat_max_us", "lost",
          "gap_s", "stop_s", "ctl_s", "ports_s", "reply_s", "arp_evicted",
          # lanswitch's mean batch: frames per poll of its worker (lanctl stats)
          "sw_pkts_per_poll",
          # the round trip of a cache line between the guests' and the switch's core just
          # before and just after the window (bench/corelat.c): where the host put our vCPUs
          "c2c_before_ns", "c2c_after_ns"]

# A contender that hands the idle port more than this share of the traffic did not learn.
IDLE_MAX_PCT = 0.1
# Others' CPU (processes we did not start, the kernel's threads) beyond this share of one
# core during the window: the measurement was disturbed and is taken again.
FOREIGN_MAX_PCT = 10.0
STEAL_MAX_PCT = 10.0
# The switch's core busy less than this while the guest's core is saturated: the number is
# the traffic process's, not the switch's (refused for the switches, noted for the limit).
GUEST_BOUND_SW_PCT = 50.0
GUEST_SATURATED_PCT = 95.0
# The core-to-core round trip after the window this many times the one before (or a
# fraction as much): the host moved our vCPUs during the window, and the closed loop's rate
# moves with that (about 100 ns and 470 ns on the VM the bench was written on; every frame
# crosses between the cores several times). The window is taken again (--quick: a note).
C2C_MOVED_RATIO = 1.5


def nums(s):
    return [float(x) for x in s.split()] if s else []


def cmd_header(a):
    with open(a.csv, "w", newline="") as f:
        csv.writer(f).writerow(FIELDS)


def fmt(x, nd=2):
    return "" if x is None else f"{x:.{nd}f}"


def pkts_per_poll(s0, s1, pkts):
    """Frames per poll from sw_cpu's fourth field, where the contender counts polls."""
    if len(s0) < 4 or len(s1) < 4 or "-" in (s0[3], s1[3]):
        return ""
    polls = float(s1[3]) - float(s0[3])
    return fmt(pkts / polls, 2) if polls > 0 else ""


def sw_cpu_fields(r, kv, window_s):
    """The switch's busy share, cycles and frames per poll from sw_cpu before and after
    (busy cycles, packets, all cycles or "-" for the window's, polls or "-"); returns the
    busy share (None if unknown)."""
    s0, s1 = kv["cpu0"].split(), kv["cpu1"].split()
    busy = float(s1[0]) - float(s0[0])
    pkts = float(s1[1]) - float(s0[1])
    total = float(s1[2]) - float(s0[2]) if s1[2] != "-" else window_s * float(kv["hz"])
    sw_busy = 100.0 * busy / total if total > 0 else None
    r["sw_busy_pct"] = fmt(sw_busy, 1)
    r["sw_cycles_per_pkt"] = fmt(busy / pkts, 0) if pkts > 0 else ""
    r["sw_pkts_per_poll"] = pkts_per_poll(s0, s1, pkts)
    return sw_busy


def pid_ticks(s):
    """cpu_snapshot's PID:TICKS,... (or -) -> {pid: ticks}"""
    return {} if s == "-" else {p: float(t) for p, t in (x.split(":") for x in s.split(","))}


def host_cpu_fields(r, kv):
    """CPU the window's other processes and the hypervisor took, % of a core."""
    clk = float(kv["clk_tck"])
    t0, t1 = kv["p0"].split(), kv["p1"].split()
    p0, p1 = [float(x) for x in t0[:4]], [float(x) for x in t1[:4]]
    pspan = p1[3] - p0[3]
    ours = p1[2] - p0[2]
    if len(t0) > 4 and len(t1) > 4:
        # only the processes alive at both ends (cpu_snapshot in bench/run says why)
        a, b = pid_ticks(t0[4]), pid_ticks(t1[4])
        ours = sum(b[pid] - a[pid] for pid in a.keys() & b.keys())
    foreign = 100.0 * ((p1[0] - p0[0]) - ours) / (pspan * clk)
    steal = 100.0 * (p1[1] - p0[1]) / (pspan * clk)
    r["foreign_pct"] = fmt(max(foreign, 0.0), 1)
    r["steal_pct"] = fmt(steal, 1)
    return foreign, steal


def c2c_fields(r, kv, notes):
    """The core-to-core probe around the window; why the window is void if it moved."""
    a, b = kv.get("c2c0", ""), kv.get("c2c1", "")
    if not a or not b:
        notes.append("no core-to-core probe (bench/corelat failed)")
        return None
    r["c2c_before_ns"], r["c2c_after_ns"] = a, b
    lo, hi = sorted((float(a), float(b)))
    if lo <= 0 or hi / lo > C2C_MOVED_RATIO:
        return ("the host moved our vCPUs during the window: a cache line's round trip "
                "between the two cores took %s ns before it and %s ns after" % (a, b))
    return None


def judge(kv):
    """Returns (row dict, exit code, summary)."""
    r = {k: "" for k in FIELDS}
    for k in ("contender", "row", "rep", "try", "size", "macs", "ports"):
        r[k] = kv.get(k, "")
    status, reason = kv.get("status", "failed"), kv.get("reason", "")
    notes = []
    if status != "ok":
        r["status"], r["note"] = status, reason
        return r, 10, f"no number: {reason}"
    def span_s(p):  # seconds between the middles of two timestamp pairs
        return ((float(kv[p + "1a"]) + float(kv[p + "1b"])) / 2 -
                (float(kv[p + "0a"]) + float(kv[p + "0b"])) / 2)

    window = span_s("t")
    c0, c1 = nums(kv["c0"]), nums(kv["c1"])
    per_port = [b - a for a, b in zip(c0[:-1], c1[:-1])]
    frames = c1[-1] - c0[-1]
    r["window_s"] = fmt(window, 3)
    r["frames"] = str(int(frames))
    pps = frames / window
    size = int(kv["size"])
    r["mpps"] = fmt(pps / 1e6, 3)
    r["gbps"] = fmt(pps * size * 8 / 1e9, 3)  # Ethernet frame (with FCS), no preamble/gap

    sw_busy = sw_cpu_fields(r, kv, span_s("s"))
    g0, g1 = nums(kv["g0"]), nums(kv["g1"])
    guest_busy = (100.0 * (g1[0] - g0[0]) / (span_s("q") * g1[1])
                  if len(g1) == 2 and g1[1] else None)
    r["guest_busy_pct"] = fmt(guest_busy, 1)

    clk = float(kv["clk_tck"])
    foreign, steal = host_cpu_fields(r, kv)

    def top(k0, k1):
        a, b = kv[k0].split(":"), kv[k1].split(":")
        return 100.0 * (float(b[0]) - float(a[0])) / (window * clk), int(b[1])

    sw_core_pct, sw_cpu = top("swt0", "swt1")
    gen_core_pct, gen_cpu = top("gent0", "gent1")
    r["guest_core_pct"] = fmt(gen_core_pct, 1)

    idle = float(kv["idle1"]) - float(kv["idle0"])
    r["idle_rx"] = str(int(idle))
    r["idle_pct"] = fmt(100.0 * idle / frames if frames else 0.0, 4)
    r["sw_idle_tx"] = str(int(float(kv["itx1"]) - float(kv["itx0"])))
    r["sw_drops"] = str(int(float(kv["dr1"]) - float(kv["dr0"])))

    def refuse(st, why, code):
        r["status"], r["note"] = st, "; ".join([why] + notes)
        return r, code, f"refused ({st}): {why} [{fmt(pps / 1e6, 2)} Mpps]"

    if any(x <= 0 for x in per_port):
        return refuse("died", "the loop died during the window (rx per port: %s)" %
                      " ".join(str(int(x)) for x in per_port), 10)
    if frames and 100.0 * idle / frames > IDLE_MAX_PCT:
        return refuse("flooded", "the idle port received %d frames, %.2f%% of the traffic: "
                      "the switch floods instead of forwarding to the learned port" %
                      (idle, 100.0 * idle / frames), 11)
    if foreign > FOREIGN_MAX_PCT:
        return refuse("noisy", "other processes used %.0f%% of a core during the window" %
                      foreign, 10)
    if steal > STEAL_MAX_PCT:
        return refuse("noisy", "the hypervisor stole %.0f%% of a core" % steal, 10)
    moved = c2c_fields(r, kv, notes)
    if moved and kv.get("quick") == "1":
        notes.append(moved)  # the quick form checks the instrument: its retries are few
    elif moved:
        return refuse("noisy", moved, 10)
    if sw_cpu != int(kv["fwd_core"]):
        notes.append("switch's busiest thread last ran on CPU %d" % sw_cpu)
    if gen_cpu != int(kv["guest_core"]):
        notes.append("traffic process's busiest thread last ran on CPU %d" % gen_cpu)
    saturated = gen_core_pct >= GUEST_SATURATED_PCT and (guest_busy is None or
                                                         guest_busy >= GUEST_SATURATED_PCT)
    if sw_busy is not None and sw_busy < GUEST_BOUND_SW_PCT and saturated:
        why = ("traffic process at %.0f%% of its core while the switch idled (busy %.0f%%)" %
               (gen_core_pct, sw_busy))
        if r["contender"] != "testpmd":
            return refuse("guest-bound", why, 11)
        notes.append(why)
    r["status"], r["note"] = "ok", "; ".join(notes)
    summary = "%.2f Mpps, switch core busy %s%%, %s cycles/frame, guest busy %s%%, idle port %d" % (
        pps / 1e6, r["sw_busy_pct"] or "?", r["sw_cycles_per_pkt"] or "?",
        r["guest_busy_pct"] or "?", idle)
    if r["sw_pkts_per_poll"]:
        summary += ", %s frames/poll" % r["sw_pkts_per_poll"]
    if r["c2c_before_ns"]:
        summary += ", core-to-core %s/%s ns" % (r["c2c_before_ns"], r["c2c_after_ns"])
    return r, 0, summary


# The generator should hold the rate it was asked for. Below this share of it the frames
# queued up somewhere: the contender did not take them as fast (its rings full; at 90% of
# the closed-loop peak an open loop brings smaller bursts than a closed one, so each costs
# the switch more) or the generator's core, shared with the contender's other threads, was
# the limit. The number stays, with a note: it is the latency at the achieved rate, with
# full queues (the table shows both rates).
LAT_RATE_MIN_PCT = 95.0
# Frames that never came back beyond this share: noted (latency covers only survivors).
LAT_LOSS_NOTE_PCT = 0.1


def judge_latency(kv):
    """One open-loop latency measurement (bench/lib/latency.sh)."""
    r = {k: "" for k in FIELDS}
    for k in ("contender", "row", "rep", "try", "size"):
        r[k] = kv.get(k, "")
    r["ports"] = "2"
    r["macs"] = "2"
    status, reason = kv.get("status", "failed"), kv.get("reason", "")
    if status != "ok":
        r["status"], r["note"] = status, reason
        return r, 10, f"no number: {reason}"
    notes = []
    window = float(kv["t1"]) - float(kv["t0"])
    sent = int(kv["sent"])
    want = int(kv["count"])
    st = json.loads(kv["stats"])
    lat = json.loads(kv["lat"])
    ports = st["ports"]
    rx = ports[0]["rx"] + ports[1]["rx"]
    idle = ports[2]["rx"]
    through = 2 * sent  # frames the switch was offered: there and back
    r["window_s"] = fmt(window, 3)
    r["frames"] = str(rx)
    r["mpps"] = fmt(rx / window / 1e6, 3)
    r["offered_mpps"] = fmt(2 * float(kv["send_pps"]) / 1e6, 3)
    r["gbps"] = fmt(rx / window * int(kv["size"]) * 8 / 1e9, 3)
    r["lost"] = str(max(through - rx, 0))
    r["idle_rx"] = str(idle)
    r["idle_pct"] = fmt(100.0 * idle / rx if rx else 0.0, 4)
    r["lat_samples"] = str(lat.get("samples", 0))
    for k in ("median", "p99", "max"):
        if k + "_ns" in lat:
            r["lat_%s_us" % k] = fmt(lat[k + "_ns"] / 1000.0, 1)
    r["sw_drops"] = str(int(float(kv["dr1"]) - float(kv["dr0"])))
    sw_cpu_fields(r, kv, window)
    clk = float(kv["clk_tck"])
    foreign, steal = host_cpu_fields(r, kv)
    a, b = kv["gent0"].split(":"), kv["gent1"].split(":")
    gen_core = 100.0 * (float(b[0]) - float(a[0])) / (window * clk)
    r["guest_core_pct"] = fmt(gen_core, 1)
    rate = 100.0 * sent / (window * float(kv["send_pps"])) if float(kv["send_pps"]) else 0.0
    summary_tail = "offered %s Mpps (%s%% of peak %.2f), got %s Mpps" % (
        r["offered_mpps"], kv["pct"], float(kv["peak_pps"]) / 1e6, r["mpps"])

    def refuse(stt, why, code):
        r["status"], r["note"] = stt, "; ".join([why] + notes)
        return r, code, f"refused ({stt}): {why} [{summary_tail}]"

    if sent < want:
        return refuse("failed", "the generator sent %d of %d frames (port stalled)" %
                      (sent, want), 10)
    if rx == 0 or lat.get("samples", 0) == 0:
        return refuse("died", "nothing came back", 10)
    if 100.0 * idle / rx > IDLE_MAX_PCT:
        return refuse("flooded", "the idle port received %d frames, %.2f%% of the traffic" %
                      (idle, 100.0 * idle / rx), 11)
    if foreign > FOREIGN_MAX_PCT:
        return refuse("noisy", "other processes used %.0f%% of a core during the window" %
                      foreign, 10)
    if steal > STEAL_MAX_PCT:
        return refuse("noisy", "the hypervisor stole %.0f%% of a core" % steal, 10)
    if rate < LAT_RATE_MIN_PCT:
        notes.append("rate not held: %.0f%% of the rate asked for went out (the contender "
                     "counted %s drops); the latency is that of full queues" % (
                         rate, r["sw_drops"]))
    lost = through - rx
    if through and 100.0 * lost / through > LAT_LOSS_NOTE_PCT:
        notes.append("%d of %d frames (%.2f%%) never came back" % (
            lost, through, 100.0 * lost / through))
    r["status"], r["note"] = "ok", "; ".join(notes)
    return r, 0, "latency median %s us, p99 %s us, max %s us; %s%s" % (
        r["lat_median_us"], r["lat_p99_us"], r["lat_max_us"], summary_tail,
        " (rate not held: %.0f%%)" % rate if rate < LAT_RATE_MIN_PCT else "")


def judge_outage(kv):
    """One restart under running guests (bench/lib/outage.sh). Times on the host: stop_s
    from the kill to the old process gone, ctl_s from there to the new one's control socket
    answering, ports_s from there to both ports up (as the switch reports it), reply_s from
    the kill to the guest's first reply after the gap (mapped to host time)."""
    r = {k: "" for k in FIELDS}
    for k in ("contender", "row", "rep", "try"):
        r[k] = kv.get(k, "")
    r["ports"] = "2"
    status, reason = kv.get("status", "failed"), kv.get("reason", "")
    if status != "ok":
        r["status"], r["note"] = status, reason
        return r, 10, f"no number: {reason}"
    off = float(kv["offset"])
    tk, tx, tc, tu, tr = (float(kv[k]) for k in ("t_kill", "t_exit", "t_ctl", "t_up", "t_rec"))
    replies, marks = [], []
    with open(kv["log"], errors="replace") as f:
        for line in f:
            w = line.replace("\r", "").split()
            if len(w) > 2 and w[0] == "@@P" and "bytes" in w and "DUP!" not in w:
                replies.append(float(w[1]))
            elif len(w) > 2 and w[0] == "@@M":
                marks.append((float(w[1]), " ".join(w[2:])))
    kg, rg = tk - off, tr - off
    best, end = None, None
    for a, b in zip(replies, replies[1:]):
        if b >= kg - 0.05 and a <= rg:
            if best is None or b - a > best:
                best, end = b - a, b
    if best is None:
        r["status"], r["note"] = "failed", "no replies around the restart in the guest's log"
        return r, 10, r["note"]
    # the peer's entry gone, or back to incomplete (the guest must ask again)
    evicted = any(kg - 0.2 <= t <= rg and ("arp=none" in m or "/00:00:00:00:00:00" in m)
                  for t, m in marks)
    r["gap_s"] = fmt(best, 3)
    r["stop_s"] = fmt(tx - tk, 3)
    r["ctl_s"] = fmt(tc - tx, 3)
    r["ports_s"] = fmt(tu - tc, 3)
    r["reply_s"] = fmt(end + off - tk, 3)
    r["arp_evicted"] = "yes" if evicted else "no"
    r["status"] = "ok"
    return r, 0, ("longest gap between replies %.2f s (stop %.2f s, start to control socket "
                  "%.2f s, to ports up %.2f s, first reply %.2f s after the kill; ARP entry "
                  "evicted: %s)" % (best, tx - tk, tc - tx, tu - tc, end + off - tk,
                                    r["arp_evicted"]))


def cmd_judge(a):
    kv = {}
    for arg in a.kv:
        k, _, v = arg.partition("=")
        kv[k] = v
    # every measurement's raw counters, for a second look at a surprising number
    with open(os.path.join(os.path.dirname(os.path.abspath(a.csv)), "raw.jsonl"), "a") as f:
        f.write(json.dumps(kv, sort_keys=True) + "\n")
    try:
        row, code, summary = {"judge": judge, "judge-latency": judge_latency,
                              "judge-outage": judge_outage}[a.cmd](kv)
    except (KeyError, ValueError, IndexError, ZeroDivisionError) as e:
        row = {k: kv.get(k, "") for k in FIELDS}
        row["status"], row["note"] = "failed", "counters unreadable (%s: %s)" % (
            type(e).__name__, e)
        for k in ("mpps", "gbps", "frames", "window_s"):
            row[k] = ""
        code, summary = 10, row["note"]
    with open(a.csv, "a", newline="") as f:
        csv.DictWriter(f, FIELDS, extrasaction="ignore").writerow(row)
    print(summary)
    return code


def cmd_peak(a):
    """Frames per second: the median of a contender's numbers in a row (the latency rows'
    reference); exit 1 when it has none."""
    with open(a.csv, newline="") as f:
        v = [float(r["mpps"]) for r in csv.DictReader(f)
             if r["row"] == a.row and r["contender"] == a.contender and r["status"] == "ok"]
    if not v:
        return 1
    print("%.0f" % (statistics.median(v) * 1e6))
    return 0


# ---- the report ---------------------------------------------------------------------------

def load(d):
    with open(os.path.join(d, "results.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    with open(os.path.join(d, "machine.json")) as f:
        meta = json.load(f)
    final = {}
    for r in rows:  # per repetition: the try that gave a number, else the last try
        k = (r["row"], r["contender"], r["rep"])
        if k not in final or final[k]["status"] != "ok":
            final[k] = r
    return rows, final, meta


def span(xs):
    return (min(xs), max(xs)) if xs else (None, None)


def med(xs):
    return statistics.median(xs) if xs else None


def cell(m, lo, hi, nd=2):
    if m is None:
        return "—"
    return f"{m:.{nd}f} ({lo:.{nd}f}–{hi:.{nd}f})"


def is_tput(row):
    return not row.startswith(("lat", "outage", "upper"))  # upper: bench/upper reports it


def summarise(final, meta):
    reps = [str(i) for i in range(1, meta["reps"] + 1)]
    res = {}
    for row in [r for r in meta["rows"] if is_tput(r)]:
        for c in meta["contenders"]:
            ok = [final[(row, c, rp)] for rp in reps
                  if (row, c, rp) in final and final[(row, c, rp)]["status"] == "ok"]
            v = [float(r["mpps"]) for r in ok]
            res[(row, c)] = {
                "n": len(ok), "med": med(v), "span": span(v),
                "busy": med([float(r["sw_busy_pct"]) for r in ok if r["sw_busy_pct"]]),
                "cpp": med([float(r["sw_cycles_per_pkt"]) for r in ok if r["sw_cycles_per_pkt"]]),
                "gbusy": med([float(r["guest_busy_pct"]) for r in ok if r["guest_busy_pct"]]),
                "gbps": med([float(r["gbps"]) for r in ok]),
                "c2c": med([(float(r["c2c_before_ns"]) + float(r["c2c_after_ns"])) / 2
                            for r in ok if r.get("c2c_before_ns") and r.get("c2c_after_ns")]),
                "by_rep": {r["rep"]: float(r["mpps"]) for r in ok},
            }
    return res


OUTAGE_CONTENDERS = ["lanswitch", "ovs"]


def summarise_outage(final, meta):
    reps = [str(i) for i in range(1, meta.get("outage_reps", meta["reps"]) + 1)]
    res = {}
    for row in [r for r in meta["rows"] if r.startswith("outage")]:
        for c in [c for c in meta["contenders"] if c in OUTAGE_CONTENDERS]:
            ok = [final[(row, c, rp)] for rp in reps
                  if (row, c, rp) in final and final[(row, c, rp)]["status"] == "ok"]
            x = {"n": len(ok), "evicted": sum(r["arp_evicted"] == "yes" for r in ok)}
            for k in ("gap_s", "stop_s", "ctl_s", "ports_s", "reply_s"):
                v = [float(r[k]) for r in ok if r[k]]
                x[k] = (med(v), min(v) if v else None, max(v) if v else None)
            res[(row, c)] = x
    return res


def summarise_latency(final, meta):
    """Per (row, contender): medians over the repetitions of the median, p99 and max."""
    reps = [str(i) for i in range(1, meta.get("lat_reps", meta["reps"]) + 1)]
    res = {}
    for row in [r for r in meta["rows"] if r.startswith("lat")]:
        for c in meta["contenders"]:
            ok = [final[(row, c, rp)] for rp in reps
                  if (row, c, rp) in final and final[(row, c, rp)]["status"] == "ok"]
            x = {"n": len(ok)}
            for k in ("lat_median_us", "lat_p99_us", "lat_max_us", "offered_mpps", "mpps"):
                v = [float(r[k]) for r in ok if r[k]]
                x[k] = (med(v), min(v) if v else None, max(v) if v else None)
            x["lost"] = sum(int(r["lost"] or 0) for r in ok)
            x["frames"] = sum(int(r["frames"] or 0) for r in ok)
            res[(row, c)] = x
    return res


def ratio_reps(xa, xb):
    """Median and range of the per-repetition ratios of two summaries (a row and contender
    each): the measurements of one repetition are adjacent in time."""
    if not xa or not xb:
        return None, None, None
    rs = [xa["by_rep"][k] / xb["by_rep"][k] for k in xa["by_rep"]
          if k in xb["by_rep"] and xb["by_rep"][k] > 0]
    if not rs:
        return None, None, None
    return med(rs), min(rs), max(rs)


def ratio(res, row, a, b):
    """Contender a against contender b in one row."""
    return ratio_reps(res.get((row, a)), res.get((row, b)))


def ratio_rows(res, c, row_a, row_b):
    """Contender c's row_a against its row_b (the rows of a repetition run one after the
    other)."""
    return ratio_reps(res.get((row_a, c)), res.get((row_b, c)))


def rcell(t):
    m, lo, hi = t
    return "—" if m is None else f"{m:.2f}× ({lo:.2f}–{hi:.2f})"


def write_md(d, rows, final, meta, res, lres, ores):
    cs = meta["contenders"]
    trows = [r for r in meta["rows"] if is_tput(r)]
    out = []
    out.append("# Guest to guest over vhost-user: throughput (closed loop), latency (open loop), restart outage\n")
    out.append("%s, %d cores (%s), kernel %s; Open vSwitch %s, DPDK %s; lanswitch %s; %s UTC.\n" % (
        meta["cpu"], meta["cores"], meta["host"], meta["kernel"], meta["ovs"], meta["dpdk"],
        meta["commit"], meta["date"]))
    if meta.get("base"):
        out.append("lanswitch (base): %s, the build a change is measured against.\n" % meta["base"])
    out.append("Frames per second the guests receive (million), median (min–max) of %d "
               "repetitions of %g s, contenders interleaved; each switch forwards on one core, "
               "the guests run on the other. Ratios are medians of the per-repetition ratios.\n"
               % (meta["reps"], meta["window_s"]))
    head = ["row"] + [LABEL[c] + " Mpps" for c in cs]
    if "lanswitch" in cs and "ovs" in cs:
        head.append("lanswitch / OVS")
    if "lanswitch" in cs and "testpmd" in cs:
        head.append("lanswitch / limit")
    if "ovs" in cs and "testpmd" in cs:
        head.append("OVS / limit")
    if "base" in cs:
        head.append("lanswitch / base")
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + "---|" * len(head))
    for row in trows:
        line = [ROW_LABEL.get(row, row)]
        for c in cs:
            x = res[(row, c)]
            line.append(cell(x["med"], *x["span"]) +
                        ("" if x["n"] == meta["reps"] else " n=%d" % x["n"]))
        if "lanswitch" in cs and "ovs" in cs:
            line.append(rcell(ratio(res, row, "lanswitch", "ovs")))
        if "lanswitch" in cs and "testpmd" in cs:
            line.append(rcell(ratio(res, row, "lanswitch", "testpmd")))
        if "ovs" in cs and "testpmd" in cs:
            line.append(rcell(ratio(res, row, "ovs", "testpmd")))
        if "base" in cs:
            line.append(rcell(ratio(res, row, "lanswitch", "base")))
        out.append("| " + " | ".join(line) + " |")
    out.append("")
    out.append("CPU of the forwarding core (medians): busy share (cycles of polls that "
               "found frames, over all cycles) and busy cycles per forwarded frame; the "
               "guests' core busy share likewise; the round trip of a cache line between "
               "the two cores around each window (bench/corelat.c), which says where the "
               "host had put our two vCPUs: every frame crosses between them several "
               "times.\n")
    head = (["row"] + ["%s busy %% / cycles per frame" % LABEL[c] for c in cs] +
            ["guests busy %", "core-to-core ns"])
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + "---|" * len(head))
    for row in trows:
        line = [ROW_LABEL.get(row, row)]
        for c in cs:
            x = res[(row, c)]
            line.append("—" if x["busy"] is None else "%.0f%% / %s" % (
                x["busy"], "—" if x["cpp"] is None else "%.0f" % x["cpp"]))
        gb = [res[(row, c)]["gbusy"] for c in cs if res[(row, c)]["gbusy"] is not None]
        line.append(" / ".join("%.0f" % g for g in gb) if gb else "—")
        line.append(" / ".join("—" if res[(row, c)]["c2c"] is None else
                               "%.0f" % res[(row, c)]["c2c"] for c in cs))
        out.append("| " + " | ".join(line) + " |")
    out.append("")
    if lres:
        lreps = meta.get("lat_reps", meta["reps"])
        out.append("Latency, open loop: lsgen sends timestamped 64 B frames from guest port 0 "
                   "to port 1 at a fixed rate and port 1 reflects each one back, so the switch "
                   "forwards twice the send rate: the offered load is that share of the "
                   "contender's own closed-loop 64 B peak of this run. A sample is one pass "
                   "through the switch, the generator's TX to its RX on the same TSC. "
                   "Microseconds, median (min–max) over %d repetition%s of %g s." % (
                       lreps, "" if lreps == 1 else "s", meta["window_s"]) + "\n")
        head = ["row", "contender", "asked Mpps", "achieved Mpps", "median µs", "p99 µs",
                "max µs", "frames lost"]
        out.append("| " + " | ".join(head) + " |")
        out.append("|" + "---|" * len(head))
        for row in [r for r in meta["rows"] if r.startswith("lat")]:
            for c in cs:
                x = lres[(row, c)]
                if x["n"] == 0:
                    out.append("| %s | %s | — | — | — | — | — | — |" % (
                        ROW_LABEL.get(row, row), LABEL[c]))
                    continue

                def lc(k, nd=1):
                    m, lo, hi = x[k]
                    if m is None:
                        return "—"
                    if lo == hi:
                        return f"{m:.{nd}f}"
                    return f"{m:.{nd}f} ({lo:.{nd}f}–{hi:.{nd}f})"
                out.append("| %s | %s | %s | %s | %s | %s | %s | %d of %d |" % (
                    ROW_LABEL.get(row, row), LABEL[c], lc("offered_mpps", 2), lc("mpps", 2),
                    lc("lat_median_us"), lc("lat_p99_us"), lc("lat_max_us"), x["lost"],
                    x["lost"] + x["frames"]))
        out.append("")
    if ores:
        out.append("Restart outage with real guests: two QEMU/TCG guests own their vhost-user "
                   "sockets, guest A pings guest B every 0.1 s, the switch process is "
                   "restarted (lanswitchd: SIGTERM, start again with the same --state; OVS: "
                   "ovs-vswitchd only). Longest gap between two replies, seconds, median "
                   "(min–max) over the restarts; then where the time went, on the host's "
                   "clock (medians): the old process gone, the new one's control socket "
                   "answering, both ports up as the switch reports them (OVS: ovsdb "
                   "link_state), the guest's first reply after the gap, each from the kill.\n")
        head = ["guests", "contender", "restarts", "longest gap s", "old process gone",
                "control socket", "ports up", "first reply", "ARP entry evicted"]
        out.append("| " + " | ".join(head) + " |")
        out.append("|" + "---|" * len(head))
        for row in [r for r in meta["rows"] if r.startswith("outage")]:
            for c in [c for c in cs if c in OUTAGE_CONTENDERS]:
                x = ores[(row, c)]
                if x["n"] == 0:
                    out.append("| %s | %s | 0 | — | — | — | — | — | — |" % (
                        ROW_LABEL.get(row, row), LABEL[c]))
                    continue
                m, lo, hi = x["gap_s"]
                st, ct, pt = x["stop_s"][0], x["ctl_s"][0], x["ports_s"][0]
                out.append("| %s | %s | %d | %.2f (%.2f–%.2f) | %.2f | %.2f | %.2f | %.2f | "
                           "%d of %d |" % (
                               ROW_LABEL.get(row, row), LABEL[c], x["n"], m, lo, hi, st,
                               st + ct, st + ct + pt, x["reply_s"][0], x["evicted"], x["n"]))
        out.append("")
    goals = targets(res, meta) + outage_targets(ores)
    if goals:
        out.append("Targets of issue 4 (lanswitch, this run):\n")
        out.append("| target | measured | met |")
        out.append("|---|---|---|")
        for name, val, ok in goals:
            out.append("| %s | %s | %s |" % (name, val, "yes" if ok else "**no**"))
        out.append("")
    bad = [r for r in rows if r["status"] != "ok"]
    if bad:
        out.append("Measurements without a number (retried where the cause was outside the "
                   "switch):\n")
        for r in bad:
            out.append("- %s, %s, repetition %s, try %s: %s — %s" % (
                ROW_LABEL.get(r["row"], r["row"]), LABEL.get(r["contender"], r["contender"]),
                r["rep"], r["try"], r["status"], r["note"]))
        out.append("")
    notes = [r for r in final.values() if r["status"] == "ok" and r["note"]]
    if notes:
        out.append("Notes:\n")
        for r in notes:
            out.append("- %s, %s, repetition %s: %s" % (
                ROW_LABEL.get(r["row"], r["row"]), LABEL.get(r["contender"], r["contender"]),
                r["rep"], r["note"]))
        out.append("")
    out.append("![chart](chart.png)\n")
    with open(os.path.join(d, "results.md"), "w") as f:
        f.write("\n".join(out))


def targets(res, meta):
    rows, cs = meta["rows"], meta["contenders"]
    g = []

    def have(row, c):
        return row in rows and c in cs and res[(row, c)]["med"] is not None

    def add(what, m, want):  # no common repetition: no ratio, no verdict
        if m is not None:
            g.append((what, "%.2f×" % m, m >= want))

    if have("64B", "lanswitch") and have("64B", "testpmd"):
        add("64 B, 2 MACs: ≥ 0.9× the testpmd limit",
            ratio(res, "64B", "lanswitch", "testpmd")[0], 0.9)
    if have("64B", "lanswitch") and have("64B", "ovs"):
        add("64 B, 2 MACs: ≥ 1.3× OVS-DPDK", ratio(res, "64B", "lanswitch", "ovs")[0], 1.3)
    for row, want in (("macs4096", 0.9), ("macs65536", 0.8)):
        if have(row, "lanswitch") and have("macs2", "lanswitch"):
            add("%s: ≥ %.1f× its own 2-MAC rate" % (ROW_LABEL[row], want),
                ratio_rows(res, "lanswitch", row, "macs2")[0], want)
    if have("1518B", "lanswitch") and have("1518B", "testpmd"):
        add("1518 B: within 5% of the limit", ratio(res, "1518B", "lanswitch", "testpmd")[0],
            0.95)
    return g


def outage_targets(ores):
    g = []
    k = ores.get(("outage-keep", "lanswitch"))
    if k and k["n"]:
        g.append(("restart outage, arp_evict_nocarrier=0 guests: ≤ 0.3 s median",
                  "%.2f s" % k["gap_s"][0], k["gap_s"][0] <= 0.3))
    a, b = ores.get(("outage", "lanswitch")), ores.get(("outage", "ovs"))
    if a and b and a["n"] and b["n"]:
        g.append(("restart outage, default guests: no worse than OVS-DPDK",
                  "%.2f s vs %.2f s" % (a["gap_s"][0], b["gap_s"][0]),
                  a["gap_s"][0] <= b["gap_s"][0]))
    return g


def write_chart(d, meta, res, lres=None):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = [
        ("Frame size (2 MACs)", [("64B", "64 B"), ("512B", "512 B"), ("1518B", "1518 B")]),
        ("MAC addresses (64 B)", [("macs2", "2"), ("macs1024", "1 024"), ("macs4096", "4 096"),
                                  ("macs65536", "65 536")]),
        ("Guest ports (64 B)", [("64B", "2"), ("ports4", "4")]),
    ]
    groups = [(t, [(r, l) for r, l in g if r in meta["rows"]]) for t, g in groups]
    groups = [(t, g) for t, g in groups if g]
    lat_rows = [r for r in meta["rows"] if r.startswith("lat") and lres]
    if lat_rows:
        groups.append(("Latency, open loop", [(r, r[3:] + "% of peak") for r in lat_rows]))
    if not groups:
        return
    groups = [(t, g) for t, g in groups if g]
    cs = meta["contenders"]
    colors = {"lanswitch": "#1f77b4", "ovs": "#ff7f0e", "testpmd": "#7f7f7f", "base": "#aec7e8"}
    fig, axes = plt.subplots(1, len(groups), figsize=(4.2 * len(groups) + 1, 4.4),
                             squeeze=False, gridspec_kw={"width_ratios": [len(g) for _, g in groups]})
    w = 0.8 / len(cs)
    for ax, (title, g) in zip(axes[0], groups):
        if title.startswith("Latency"):
            # bars: median; a tick above each: p99 (both medians over the repetitions)
            for i, c in enumerate(cs):
                xs, ys, p99 = [], [], []
                for j, (row, _) in enumerate(g):
                    x = lres.get((row, c))
                    if not x or x["lat_median_us"][0] is None:
                        continue
                    xs.append(j + (i - (len(cs) - 1) / 2) * w)
                    ys.append(x["lat_median_us"][0])
                    p99.append(x["lat_p99_us"][0])
                ax.bar(xs, ys, w, label=LABEL[c], color=colors[c])
                ax.scatter(xs, p99, marker="_", s=200, color=colors[c])
            ax.set_yscale("log")
            ax.set_ylim(bottom=0.5)
            ax.set_xticks(range(len(g)))
            ax.set_xticklabels([l for _, l in g])
            ax.set_title(title)
            ax.set_ylabel("µs: median (bar), p99 (tick)")
            ax.grid(axis="y", alpha=0.3)
            continue
        for i, c in enumerate(cs):
            xs, ys, lo, hi = [], [], [], []
            for j, (row, _) in enumerate(g):
                x = res[(row, c)]
                if x["med"] is None:
                    continue
                xs.append(j + (i - (len(cs) - 1) / 2) * w)
                ys.append(x["med"])
                lo.append(x["med"] - x["span"][0])
                hi.append(x["span"][1] - x["med"])
            ax.bar(xs, ys, w, yerr=[lo, hi], capsize=3, label=LABEL[c], color=colors[c])
        ax.set_xticks(range(len(g)))
        ax.set_xticklabels([l for _, l in g])
        ax.set_title(title)
        ax.set_ylabel("Mpps received by the guests")
        ax.grid(axis="y", alpha=0.3)
    axes[0][0].legend(fontsize=8)
    fig.suptitle("Guest to guest over vhost-user, one forwarding core (%s, %d cores)" % (
        meta["cpu"], meta["cores"]), fontsize=10)
    fig.tight_layout()
    fig.savefig(os.path.join(d, "chart.png"), dpi=110)


def cmd_report(a):
    rows, final, meta = load(a.dir)
    res = summarise(final, meta)
    lres = summarise_latency(final, meta)
    ores = summarise_outage(final, meta)
    write_md(a.dir, rows, final, meta, res, lres, ores)
    try:
        write_chart(a.dir, meta, res, lres)
    except ImportError as e:
        print("report: no chart (%s)" % e, file=sys.stderr)
        return 1
    missing = ["%s/%s" % (row, c) for row in meta["rows"] for c in meta["contenders"]
               if (row, c) in res and res[(row, c)]["n"] == 0]
    missing += ["%s/%s" % k for k, x in lres.items() if x["n"] == 0]
    missing += ["%s/%s" % k for k, x in ores.items() if x["n"] == 0]
    if missing:
        print("report: no number for " + ", ".join(missing), file=sys.stderr)
        return 1
    return 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("header")
    s.add_argument("--csv", required=True)
    s = sub.add_parser("judge")
    s.add_argument("--csv", required=True)
    s.add_argument("kv", nargs="*")
    s = sub.add_parser("judge-latency")
    s.add_argument("--csv", required=True)
    s.add_argument("kv", nargs="*")
    s = sub.add_parser("judge-outage")
    s.add_argument("--csv", required=True)
    s.add_argument("kv", nargs="*")
    s = sub.add_parser("peak")
    s.add_argument("--csv", required=True)
    s.add_argument("--row", default="64B")
    s.add_argument("--contender", required=True)
    s = sub.add_parser("report")
    s.add_argument("--dir", required=True)
    a = p.parse_args()
    return {"header": cmd_header, "judge": cmd_judge, "judge-latency": cmd_judge,
            "judge-outage": cmd_judge,
            "peak": cmd_peak, "report": cmd_report}[a.cmd](a) or 0


if __name__ == "__main__":
    sys.exit(main())

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

CONTENDERS = ["lanswitch", "ovs", "testpmd"]
LABEL = {"lanswitch": "lanswitch", "ovs": "OVS-DPDK", "testpmd": "testpmd io (limit)"}
ROW_LABEL = {
    "64B": "64 B, 2 MACs", "512B": "512 B, 2 MACs", "1518B": "1518 B, 2 MACs",
    "macs2": "64 B, 2 MACs (lsgen)", "macs1024": "64 B, 1 024 MACs",
    "macs4096": "64 B, 4 096 MACs", "macs65536": "64 B, 65 536 MACs",
    "ports4": "64 B, 4 guest ports in 2 pairs",
}
FIELDS = ["contender", "row", "rep", "try", "status", "mpps", "gbps", "frames", "window_s",
          "sw_busy_pct", "sw_cycles_per_pkt", "guest_busy_pct", "guest_core_pct",
          "idle_rx", "idle_pct", "sw_idle_tx", "sw_drops", "foreign_pct", "steal_pct",
          "size", "macs", "ports", "note"]

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


def nums(s):
    return [float(x) for x in s.split()] if s else []


def cmd_header(a):
    with open(a.csv, "w", newline="") as f:
        csv.writer(f).writerow(FIELDS)


def fmt(x, nd=2):
    return "" if x is None else f"{x:.{nd}f}"


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

    hz = float(kv["hz"])
    s0, s1 = kv["cpu0"].split(), kv["cpu1"].split()
    busy = float(s1[0]) - float(s0[0])
    pkts = float(s1[1]) - float(s0[1])
    total = float(s1[2]) - float(s0[2]) if s1[2] != "-" else span_s("s") * hz
    sw_busy = 100.0 * busy / total if total > 0 else None
    r["sw_busy_pct"] = fmt(sw_busy, 1)
    r["sw_cycles_per_pkt"] = fmt(busy / pkts, 0) if pkts > 0 else ""
    g0, g1 = nums(kv["g0"]), nums(kv["g1"])
    guest_busy = (100.0 * (g1[0] - g0[0]) / (span_s("q") * g1[1])
                  if len(g1) == 2 and g1[1] else None)
    r["guest_busy_pct"] = fmt(guest_busy, 1)

    clk = float(kv["clk_tck"])
    p0, p1 = nums(kv["p0"]), nums(kv["p1"])
    pspan = p1[3] - p0[3]
    foreign = 100.0 * ((p1[0] - p0[0]) - (p1[2] - p0[2])) / (pspan * clk)
    steal = 100.0 * (p1[1] - p0[1]) / (pspan * clk)
    r["foreign_pct"] = fmt(max(foreign, 0.0), 1)
    r["steal_pct"] = fmt(steal, 1)

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
    return r, 0, summary


def cmd_judge(a):
    kv = {}
    for arg in a.kv:
        k, _, v = arg.partition("=")
        kv[k] = v
    # every measurement's raw counters, for a second look at a surprising number
    with open(os.path.join(os.path.dirname(os.path.abspath(a.csv)), "raw.jsonl"), "a") as f:
        f.write(json.dumps(kv, sort_keys=True) + "\n")
    try:
        row, code, summary = judge(kv)
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


def summarise(final, meta):
    reps = [str(i) for i in range(1, meta["reps"] + 1)]
    res = {}
    for row in meta["rows"]:
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
                "by_rep": {r["rep"]: float(r["mpps"]) for r in ok},
            }
    return res


def ratio(res, row, a, b):
    """Median and range of the per-repetition ratios a/b (same repetition: adjacent in time)."""
    ra, rb = res.get((row, a)), res.get((row, b))
    if not ra or not rb:
        return None, None, None
    rs = [ra["by_rep"][k] / rb["by_rep"][k] for k in ra["by_rep"]
          if k in rb["by_rep"] and rb["by_rep"][k] > 0]
    if not rs:
        return None, None, None
    return med(rs), min(rs), max(rs)


def rcell(t):
    m, lo, hi = t
    return "—" if m is None else f"{m:.2f}× ({lo:.2f}–{hi:.2f})"


def write_md(d, rows, final, meta, res):
    cs = meta["contenders"]
    out = []
    out.append("# Guest-to-guest throughput over vhost-user, closed loop\n")
    out.append("%s, %d cores (%s), kernel %s; Open vSwitch %s, DPDK %s; lanswitch %s; %s UTC.\n" % (
        meta["cpu"], meta["cores"], meta["host"], meta["kernel"], meta["ovs"], meta["dpdk"],
        meta["commit"], meta["date"]))
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
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + "---|" * len(head))
    for row in meta["rows"]:
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
        out.append("| " + " | ".join(line) + " |")
    out.append("")
    out.append("CPU of the forwarding core (medians): busy share (cycles of polls that "
               "found frames, over all cycles) and busy cycles per forwarded frame; the "
               "guests' core busy share likewise.\n")
    head = ["row"] + ["%s busy %% / cycles per frame" % LABEL[c] for c in cs] + ["guests busy %"]
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + "---|" * len(head))
    for row in meta["rows"]:
        line = [ROW_LABEL.get(row, row)]
        for c in cs:
            x = res[(row, c)]
            line.append("—" if x["busy"] is None else "%.0f%% / %s" % (
                x["busy"], "—" if x["cpp"] is None else "%.0f" % x["cpp"]))
        gb = [res[(row, c)]["gbusy"] for c in cs if res[(row, c)]["gbusy"] is not None]
        line.append(" / ".join("%.0f" % g for g in gb) if gb else "—")
        out.append("| " + " | ".join(line) + " |")
    out.append("")
    goals = targets(res, meta)
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

    if have("64B", "lanswitch") and have("64B", "testpmd"):
        m = ratio(res, "64B", "lanswitch", "testpmd")[0]
        g.append(("64 B, 2 MACs: ≥ 0.9× the testpmd limit", "%.2f×" % m, m >= 0.9))
    if have("64B", "lanswitch") and have("64B", "ovs"):
        m = ratio(res, "64B", "lanswitch", "ovs")[0]
        g.append(("64 B, 2 MACs: ≥ 1.3× OVS-DPDK", "%.2f×" % m, m >= 1.3))
    for row, want in (("macs4096", 0.9), ("macs65536", 0.8)):
        if have(row, "lanswitch") and have("macs2", "lanswitch"):
            m = res[(row, "lanswitch")]["med"] / res[("macs2", "lanswitch")]["med"]
            g.append(("%s: ≥ %.1f× its own 2-MAC rate" % (ROW_LABEL[row], want), "%.2f×" % m,
                      m >= want))
    if have("1518B", "lanswitch") and have("1518B", "testpmd"):
        m = ratio(res, "1518B", "lanswitch", "testpmd")[0]
        g.append(("1518 B: within 5% of the limit", "%.2f×" % m, m >= 0.95))
    return g


def write_chart(d, meta, res):
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
    cs = meta["contenders"]
    colors = {"lanswitch": "#1f77b4", "ovs": "#ff7f0e", "testpmd": "#7f7f7f"}
    fig, axes = plt.subplots(1, len(groups), figsize=(4.2 * len(groups) + 1, 4.4),
                             squeeze=False, gridspec_kw={"width_ratios": [len(g) for _, g in groups]})
    w = 0.8 / len(cs)
    for ax, (title, g) in zip(axes[0], groups):
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
    write_md(a.dir, rows, final, meta, res)
    try:
        write_chart(a.dir, meta, res)
    except ImportError as e:
        print("report: no chart (%s)" % e, file=sys.stderr)
        return 1
    missing = ["%s/%s" % (row, c) for row in meta["rows"] for c in meta["contenders"]
               if res[(row, c)]["n"] == 0]
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
    s = sub.add_parser("report")
    s.add_argument("--dir", required=True)
    a = p.parse_args()
    return {"header": cmd_header, "judge": cmd_judge, "report": cmd_report}[a.cmd](a) or 0


if __name__ == "__main__":
    sys.exit(main())

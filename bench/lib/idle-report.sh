#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# bench/lib/idle-report.sh DIR - results.md of a bench/idle run from DIR/results.csv (and
# DIR/full/results.csv, bench/run's): one table per section, medians over the repetitions,
# and the issue's goals with met / not met. Exit 1 when a measurement failed.
set -euo pipefail

exec /usr/bin/python3 - "$1" <<'EOF'
import csv, json, os, statistics, sys

d = sys.argv[1]
rows = list(csv.DictReader(open(os.path.join(d, "results.csv"))))
failed = [r for r in rows if r["status"] not in ("ok", "unavailable", "disturbed")]
disturbed = [r for r in rows if r["status"] == "disturbed"]
unavail = sorted({r["contender"] for r in rows if r["status"] == "unavailable"})


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def pick(section, contender, setting=None):
    return [r for r in rows if r["section"] == section and r["contender"] == contender
            and r["status"] == "ok" and (setting is None or r["setting"] == setting)]


def med(rs, f):
    v = [x for x in (f(r) for r in rs) if x is not None]
    return statistics.median(v) if v else None


def core_pct(r):  # share of one core over the window, from the threads' run time
    ns, w = num(r["cpu_ns"]), num(r["window_s"])
    return ns / (w * 1e9) * 100 if ns is not None and w else None


def tick_pct(r):
    t, w = num(r["cpu_ticks"]), num(r["window_s"])
    return t / (w * 100) * 100 if t is not None and w else None


def us(v):
    return "-" if v is None else f"{v / 1000:.1f}"


def fmt(v, spec="{:.2f}"):
    return "-" if v is None else spec.format(v)


def others(r):  # other processes' share of one core during the window (from the note)
    for part in r["note"].split(";"):
        part = part.strip()
        if part.startswith("others="):
            return num(part[len("others="):].rstrip("%"))
    return None


def mean_sleep(r):  # the workers' mean sleep in us (from the note), None without sleeps
    for part in r["note"].split(";"):
        if "(mean " in part:
            v = num(part.split("(mean ")[1].split("us")[0])
            return v if v else None
    return None


def ns_per_frame(r):
    ns, f = num(r["cpu_ns"]), num(r["frames"])
    return ns / f if ns is not None and f else None


m = json.load(open(os.path.join(d, "machine.json"))) if os.path.exists(
    os.path.join(d, "machine.json")) else {}
out = []
p = out.append
p(f"# bench/idle: {m.get('host', '?')}, commit {m.get('commit', '?')}, {m.get('date', '?')}"
  f"{' (quick: checks the instrument, not a measurement)' if m.get('quick') else ''}\n")
p(f"CPU: {m.get('cpu', '?')}; kernel {m.get('kernel', '?')}; sections {' '.join(m.get('sections', []))}"
  f" in {m.get('seconds', '?')} s. Medians over the repetitions (n = repetitions).\n")
if unavail:
    p(f"**Not measured: {', '.join(unavail)}** — this lanswitchd has no `worker set mode` "
      "(built before the adaptive commit); \"poll\" is its only loop.\n")
goals = []

# ---- idle
names = {"adaptive": "lanswitch adaptive", "poll": "lanswitch poll", "ovs": "OVS-DPDK default",
         "ovs-sleep": "OVS-DPDK pmd-maxsleep=10000", "bridge": "kernel bridge (softirq)"}
if any(r["section"] == "idle" for r in rows):
    p("## Idle cost (no traffic, three guests connected)\n")
    p("| contender | n | % of one core (threads' run time) | % (utime+stime) | sleeps/s | wake-ups/s | others % | ports |")
    p("|---|---|---|---|---|---|---|---|")
    for c in ("adaptive", "poll", "ovs", "ovs-sleep", "bridge"):
        rs = pick("idle", c)
        if not rs:
            continue
        w = med(rs, lambda r: num(r["window_s"]))
        sl = med(rs, lambda r: num(r["sleeps"]))
        wk = med(rs, lambda r: num(r["wakeups"]))
        note = [x.strip() for x in rs[0]["note"].split(";") if x.strip().startswith("ports")]
        note = note[0].replace("ports: ", "") if note else rs[0]["note"]
        p(f"| {names[c]} | {len(rs)} | {fmt(med(rs, core_pct), '{:.3f}')} | {fmt(med(rs, tick_pct), '{:.2f}')}"
          f" | {fmt(sl / w if sl is not None and w else None, '{:.1f}')}"
          f" | {fmt(wk / w if wk is not None and w else None, '{:.1f}')} | {fmt(med(rs, others), '{:.0f}')} | {note} |")
    for c in ("adaptive", "poll"):
        for r in pick("idle", c):
            th = [x.strip() for x in r["note"].split(";") if x.strip().startswith("threads:")]
            if th:
                p(f"\n{names[c]}, rep {r['rep']}, {th[0]} (over {r['window_s']} s)")
    a = med(pick("idle", "adaptive"), core_pct)
    goals.append(("idle: adaptive <= 1% of one core", a, a is not None and a <= 1.0,
                  f"{fmt(a, '{:.3f}')}%"))
    p("\nThe guests are one lsgen with three virtio-user ports and `--sleep-us 1000`: with "
      "empty rings it sleeps 1 ms at a time (as a vCPU halts) and never kicks the switch, so "
      "nothing but the switch's own loop runs on its side. The kernel bridge's number is the "
      "softirq time of all CPUs over the window (/proc/stat, 10 ms resolution), i.e. "
      "everything the kernel did in softirq, bridge or not: an upper bound.\n")

# ---- wake
if any(r["section"] == "wake" for r in rows):
    p("## Wake-up (one frame after 50 ms of idle)\n")
    p("| what | n | median µs | p99 µs | max µs |")
    p("|---|---|---|---|---|")
    labels = [("floor", "epoll", "floor: eventfd → thread in epoll_wait on the other core"),
              ("floor", "epoll-after", "floor again, right after adaptive's frames"),
              ("floor", "spin", "handoff to a polling thread (no sleep)"),
              ("adaptive", None, "lanswitch adaptive, frame guest → switch → guest"),
              ("poll", None, "lanswitch poll, frame guest → switch → guest")]
    for c, s, label in labels:
        rs = pick("wake", c, s)
        if not rs:
            continue
        p(f"| {label} | {med(rs, lambda r: num(r['lat_n'])):.0f} | {us(med(rs, lambda r: num(r['lat_median_ns'])))}"
          f" | {us(med(rs, lambda r: num(r['lat_p99_ns'])))} | {us(med(rs, lambda r: num(r['lat_max_ns'])))} |")
    # the floor of this run: the median of its passes before and after adaptive's frames
    f = med(pick("wake", "floor", "epoll") + pick("wake", "floor", "epoll-after"),
            lambda r: num(r["lat_median_ns"]))
    a = med(pick("wake", "adaptive"), lambda r: num(r["lat_median_ns"]))
    ok = f is not None and a is not None and a <= f + 20000
    goals.append(("wake: adaptive median <= floor + 20 µs", a, ok,
                  f"{us(a)} µs vs floor {us(f)} + 20 µs" if a is not None else "not measured"))
    p("\nLatency is lsgen's: each frame stamped with the TSC when built, sampled when port 1 "
      "receives it (same process, same TSC), one pass through the switch. lsgen sends at 20 "
      "frames/s (`rate 20`) and polls its ports during the send, so the guest side adds no "
      "wake-up of its own; in adaptive mode the frame's kick (virtio-user's eventfd write) "
      "wakes the switch's worker.\n")

# ---- light
if any(r["section"] == "light" for r in rows):
    p("## Light traffic (steady rate, one direction)\n")
    p("| frames/s | contender | n | % of one core | CPU µs/frame | latency median µs | p99 µs | sleeps/s | mean sleep µs | others % |")
    p("|---|---|---|---|---|---|---|---|---|---|")
    rates = sorted({int(r["setting"]) for r in rows if r["section"] == "light" and r["setting"]})
    for rate in rates:
        for c in ("adaptive", "poll", "ovs"):
            rs = pick("light", c, str(rate))
            if not rs:
                continue
            sl = med(rs, lambda r: num(r["sleeps"]) / num(r["window_s"]) if num(r["sleeps"]) is not None else None)
            p(f"| {rate} | {names.get(c, c)} | {len(rs)} | {fmt(med(rs, core_pct))}"
              f" | {fmt(med(rs, ns_per_frame), '{:.0f}') if med(rs, ns_per_frame) is None else f'{med(rs, ns_per_frame) / 1000:.2f}'}"
              f" | {us(med(rs, lambda r: num(r['lat_median_ns'])))} | {us(med(rs, lambda r: num(r['lat_p99_ns'])))}"
              f" | {fmt(sl, '{:.0f}')} | {fmt(med(rs, mean_sleep), '{:.0f}')} | {fmt(med(rs, others), '{:.0f}')} |")
    a = med(pick("light", "adaptive", "1000"), core_pct)
    b = med(pick("light", "poll", "1000"), core_pct)
    if any(r["section"] == "light" and r["setting"] == "1000" for r in rows):
        goals.append(("light: at 1 000 frames/s adaptive <= 1/10 of poll's CPU", a,
                      a is not None and b is not None and a <= b / 10,
                      f"{fmt(a)}% vs {fmt(b)}%" if a is not None else "not measured"))
    for sec, rate in (("idleus", "10 000"), ("idleus1k", "1 000")):
        if not any(r["section"] == sec for r in rows):
            continue
        p(f"\n### idle-us at {rate} frames/s (adaptive)\n")
        p("| idle-us | n | % of one core | CPU µs/frame | latency median µs | p99 µs | sleeps/s | mean sleep µs | others % |")
        p("|---|---|---|---|---|---|---|---|---|")
        for s in sorted({int(r["setting"]) for r in rows if r["section"] == sec}):
            rs = pick(sec, "adaptive", str(s))
            if not rs:
                continue
            sl = med(rs, lambda r: num(r["sleeps"]) / num(r["window_s"]) if num(r["sleeps"]) is not None else None)
            npf = med(rs, ns_per_frame)
            p(f"| {s} | {len(rs)} | {fmt(med(rs, core_pct))} | {fmt(npf / 1000 if npf else None)}"
              f" | {us(med(rs, lambda r: num(r['lat_median_ns'])))} | {us(med(rs, lambda r: num(r['lat_p99_ns'])))}"
              f" | {fmt(sl, '{:.0f}')} | {fmt(med(rs, mean_sleep), '{:.0f}')} | {fmt(med(rs, others), '{:.0f}')} |")
    p("\nCPU is the switch's whole process (every thread's run time from schedstat) over the "
      "send, divided by the frames the receiving guest got. The generator (lsgen on core 0) "
      "polls while it sends, at every rate.\n")

# ---- full
fcsv = os.path.join(d, "full", "results.csv")
if os.path.exists(fcsv):
    fr = [r for r in csv.DictReader(open(fcsv)) if r["status"] == "ok"]
    p("## Full load (bench/run, closed loop; adaptive = `lanswitch`, poll = `base`)\n")
    p("| row | adaptive Mpps | poll Mpps | adaptive / poll (median of per-rep ratios, range) |")
    p("|---|---|---|---|")
    worst = None
    for row in ("64B", "1518B"):
        by = {}
        for r in fr:
            if r["row"] == row:
                by.setdefault(r["rep"], {})[r["contender"]] = float(r["mpps"])
        ratios = [v["lanswitch"] / v["base"] for v in by.values() if "lanswitch" in v and "base" in v and v["base"] > 0]
        ma = med([v for v in by.values() if "lanswitch" in v], lambda v: v["lanswitch"])
        mb = med([v for v in by.values() if "base" in v], lambda v: v["base"])
        rt = statistics.median(ratios) if ratios else None
        rng = f" ({min(ratios):.2f}–{max(ratios):.2f})" if ratios else ""
        p(f"| {row} | {fmt(ma, '{:.3f}')} | {fmt(mb, '{:.3f}')} | {fmt(rt)}{rng} |")
        if rt is not None:
            worst = rt if worst is None else min(worst, rt)
    goals.append(("full: adaptive / poll >= 0.97 (64B and 1518B)", worst,
                  worst is not None and worst >= 0.97, fmt(worst)))
    p("\nbench/run's own tables are in [full/results.md](full/results.md).\n")

# ---- guests
if any(r["section"] == "guests" for r in rows):
    p("## Real guests (two QEMU/TCG guests, one ping a second)\n")
    p("| contender | n | % of one core | replies | RTT median ms | p99 ms | max ms | sleeps/s |")
    p("|---|---|---|---|---|---|---|---|")
    for c in ("adaptive", "poll"):
        rs = pick("guests", c)
        if not rs:
            continue
        sl = med(rs, lambda r: num(r["sleeps"]) / num(r["window_s"]) if num(r["sleeps"]) is not None else None)
        ms = lambda k: fmt(med(rs, lambda r: num(r[k]) / 1e6 if num(r[k]) is not None else None), "{:.3f}")
        p(f"| {names[c]} | {len(rs)} | {fmt(med(rs, core_pct))} | {fmt(med(rs, lambda r: num(r['frames'])), '{:.0f}')}"
          f" | {ms('lat_median_ns')} | {ms('lat_p99_ns')} | {ms('lat_max_ns')} | {fmt(sl, '{:.0f}')} |")
    p("\nRTTs are busybox ping's inside the guest (TCG: the guests' own emulation dominates).\n")

p("## Goals\n")
p("| goal | measured | met |")
p("|---|---|---|")
for g, v, ok, txt in goals:
    p(f"| {g} | {txt} | {'met' if ok else ('**not met**' if v is not None else 'not measured')} |")
if disturbed:
    p(f"\n{len(disturbed)} measurement(s) were taken again: other processes used more than "
      "25% of a core during them (results.csv keeps them, status disturbed): "
      + ", ".join(f"{r['section']}/{r['contender']}/{r['setting'] or '-'}" for r in disturbed) + ".")
if failed:
    p("\n## Failed measurements\n")
    for r in failed:
        p(f"- {r['section']}/{r['contender']}/{r['setting'] or '-'}/rep{r['rep']}: {r['status']} {r['note']}")
print("\n".join(out))
sys.exit(1 if failed else 0)
EOF

#!/usr/bin/env python3
"""Helpers for run.sh: probe an endpoint, validate wrk output, build the results table.

  report.py probe URL          one GET; prints "STATUS BYTES ITEMS" (ITEMS = nodes in a list reply)
  report.py check FILE         parse one wrk output; exit 1 if it has non-2xx/3xx replies or socket errors
  report.py table DIR [OUT]    markdown for DIR/{ironic,bifrost}-*.txt + DIR/facts; with OUT, insert it
                               into that results file right below the header (newest run first)
"""
import json
import os
import re
import sys
import urllib.error
import urllib.request

HEADERS = {"Accept": "application/json", "X-OpenStack-Ironic-API-Version": "1.78"}
ENDPOINTS = [  # (file key, label)
    ("list", "`GET /v1/nodes`"),
    ("detail", "`GET /v1/nodes/detail?limit=1000`"),
    ("show", "`GET /v1/nodes/{name}`"),
    ("create", "`POST /v1/nodes`"),
]
UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0, "h": 3600000.0}
MARKER = "<!-- runs below, newest first -->"


def probe(url):
    req = urllib.request.Request(url, headers=HEADERS)
    try:
        with urllib.request.urlopen(req, timeout=120) as resp:
            status, body = resp.status, resp.read()
    except urllib.error.HTTPError as e:
        status, body = e.code, e.read()
    try:
        doc = json.loads(body)
        items = len(doc["nodes"]) if isinstance(doc, dict) and "nodes" in doc else 1
    except (ValueError, TypeError):
        items = 0
    print(status, len(body), items)


def parse(path):
    """Requests/sec, p50/p99 in ms, request count, non-2xx count and socket errors of one wrk run."""
    text = open(path).read()
    r = {"file": path}

    def num(pattern, default=None):
        m = re.search(pattern, text)
        return float(m.group(1)) if m else default

    def lat(pct):
        m = re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s|m|h)\s*$" % pct, text, re.M)
        return float(m.group(1)) * UNIT_MS[m.group(2)] if m else None

    r["rps"] = num(r"Requests/sec:\s+([\d.]+)")
    r["requests"] = int(num(r"(\d+) requests in", 0))
    r["p50"], r["p99"] = lat(50), lat(99)
    r["non2xx"] = int(num(r"Non-2xx or 3xx responses:\s+(\d+)", 0))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    r["socket_errors"] = sum(map(int, m.groups())) if m else 0
    r["errors"] = []
    if r["rps"] is None or r["p50"] is None or r["requests"] == 0:
        r["errors"].append("no result parsed (wrk failed?)")
    if r["non2xx"]:
        r["errors"].append("%d non-2xx/3xx responses" % r["non2xx"])
    if r["socket_errors"]:
        r["errors"].append("socket errors: %s" % m.group(0))
    return r


def check(path):
    r = parse(path)
    print("  %s: %s req/s, p50 %s, p99 %s, %d requests%s" % (
        os.path.basename(path), fmt_rps(r["rps"]), fmt_ms(r["p50"]), fmt_ms(r["p99"]), r["requests"],
        ("  INVALID: " + "; ".join(r["errors"])) if r["errors"] else ""))
    sys.exit(1 if r["errors"] else 0)


def fmt_rps(v):
    return "-" if v is None else ("%.0f" % v if v >= 100 else "%.1f" % v)


def fmt_ms(v):
    if v is None:
        return "-"
    return "%.0f ms" % v if v >= 100 else ("%.1f ms" % v if v >= 1 else "%.2f ms" % v)


def facts(d):
    out = {}
    path = os.path.join(d, "facts")
    if os.path.exists(path):
        for line in open(path):
            k, _, v = line.rstrip("\n").partition("=")
            out[k] = v
    return out


def cpu(d, srv, key):
    p = os.path.join(d, "%s-%s.cpu" % (srv, key))
    if not os.path.exists(p):
        return "n/a"
    server, wrk, other = map(float, open(p).read().split())
    return "%.2f / %.2f / %.2f%s" % (server, wrk, other, " **(disturbed)**" if other > 0.2 else "")


def cell(r, key):
    if r is None:
        return "n/a"
    if r["errors"]:
        return "INVALID"
    return fmt_rps(r["rps"]) if key == "rps" else fmt_ms(r[key])


def table(d, out=None):
    f = facts(d)
    runs = {}
    for srv in ("ironic", "bifrost"):
        for key, _ in ENDPOINTS:
            p = os.path.join(d, "%s-%s.txt" % (srv, key))
            runs[srv, key] = parse(p) if os.path.exists(p) else None
    invalid = [r["file"] for r in runs.values() if r and r["errors"]]

    lines = ["| endpoint | Ironic req/s | p50 | p99 | Bifrost req/s | p50 | p99 | ratio (Bifrost/Ironic) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    ratios = {}
    for key, label in ENDPOINTS:
        i, b = runs["ironic", key], runs["bifrost", key]
        ok = i and b and not i["errors"] and not b["errors"] and i["rps"]
        ratios[key] = b["rps"] / i["rps"] if ok else None
        lines.append("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
            label, cell(i, "rps"), cell(i, "p50"), cell(i, "p99"), cell(b, "rps"), cell(b, "p50"),
            cell(b, "p99"), "%.1f×" % ratios[key] if ratios[key] else "n/a"))

    lines += ["", "CPU used during each measurement, in CPUs (of %s): server / wrk / all other processes. "
              "Anything above ~0.2 in the last figure means the machine was not quiet and the row is "
              "disturbed." % f.get("nproc", "?"), "", "| endpoint | Ironic | Bifrost |", "|---|---|---|"]
    for key, label in ENDPOINTS:
        lines.append("| %s | %s | %s |" % (label, cpu(d, "ironic", key), cpu(d, "bifrost", key)))
    lines += ["", "Items and bytes per reply (one probe before the wrk run):", "",
              "| endpoint | Ironic | Bifrost |", "|---|---|---|"]
    for key, label in ENDPOINTS[:3]:
        lines.append("| %s | %s | %s |" % (label, f.get("ironic_probe_" + key, "n/a"),
                                           f.get("bifrost_probe_" + key, "n/a")))

    def mb(k):
        return "%.0f MB" % (int(f[k]) / 1024) if f.get(k, "").isdigit() else "n/a"

    b_show = runs["bifrost", "show"]
    rss = f.get("bifrost_rss_reads_kb", "")
    checks = [
        ("node show p99 < 20 ms (Bifrost)", fmt_ms(b_show["p99"]) if b_show else "n/a",
         b_show is not None and not b_show["errors"] and b_show["p99"] < 20),
        ("≥ 10× Ironic req/s on show", "%.1f×" % ratios["show"] if ratios["show"] else "n/a",
         (ratios["show"] or 0) >= 10),
        ("≥ 10× Ironic req/s on list (`/v1/nodes`)", "%.1f×" % ratios["list"] if ratios["list"] else "n/a",
         (ratios["list"] or 0) >= 10),
        ("≥ 10× Ironic req/s on detail list", "%.1f×" % ratios["detail"] if ratios["detail"] else "n/a",
         (ratios["detail"] or 0) >= 10),
        ("Bifrost RSS < 200 MB with %s nodes (VmRSS after the read runs)" % f.get("nodes", "?"),
         mb("bifrost_rss_reads_kb"), rss.isdigit() and int(rss) < 200 * 1024),
    ]
    lines += ["", "| target | measured | met |", "|---|---:|:---:|"]
    lines += ["| %s | %s | %s |" % (name, val, "yes" if ok else "**no**") for name, val, ok in checks]
    lines += ["", "Memory (VmRSS / VmHWM from /proc/PID/status):", "",
              "| | Ironic | Bifrost |", "|---|---:|---:|"]
    for k, label in (("seeded", "after seeding"), ("reads", "after the read runs"),
                     ("create", "after the create run")):
        lines.append("| %s | %s | %s |" % (label, mb("ironic_rss_%s_kb" % k), mb("bifrost_rss_%s_kb" % k)))
    lines.append("| peak (VmHWM) at the end | %s | %s |" % (mb("ironic_hwm_kb"), mb("bifrost_hwm_kb")))
    disturbed = [k for k in ENDPOINTS for srv in ("ironic", "bifrost") if "disturbed" in cpu(d, srv, k[0])]
    if disturbed:
        lines.insert(0, "**Warning: other processes used more than 0.2 CPU during %d of the 8 measurements "
                        "(see the CPU table); those figures understate both servers.**\n" % len(disturbed))
    md = "\n".join(lines)
    print(md)
    if invalid:
        print("\nINVALID runs (errors): " + ", ".join(invalid), file=sys.stderr)
        sys.exit(1)
    if out:
        write_results(out, f, md)


def write_results(out, f, md):
    g = f.get
    section = """## API: Bifrost vs. OpenStack Ironic, {date}

- Command: `{cmd}` (NODES={nodes}; `{wrkargs}`; each GET measurement after a discarded {warmup} s warm-up;
  every measurement starts once the server is idle again)
- Machine: {nproc} CPUs ({cpu}), {mem} RAM, {os}. wrk and the server under test share these CPUs;
  both servers, wrk and the seeder ran under `{nice}` because other work may share the machine.
- Versions: Ironic {ironic_version} (Debian python3-ironic, single process, SQLite, noauth), {wrk_version},
  .NET SDK {dotnet_version}, Bifrost at git {git_rev} (sha256 of src/**/*.cs: {src_hash}).
- Data: {nodes} nodes (`bench-NNNNN`, driver fake-hardware, driver_info + properties) and {ports} ports
  (2 unique MACs per node) in each server. Bifrost: seeded through its own API by `seed_api.py`
  ({bifrost_seed}). Ironic: `bench-00001` and its 2 ports created through Ironic's API, then cloned in
  SQLite by `ironic_clone.sql` (same columns as Ironic writes, fresh UUID/name/MAC); Ironic's periodic
  power sync is disabled (`sync_power_state_interval = 0`).
- The servers run one after the other (Ironic first), never at the same time; `POST /v1/nodes` runs last.
- Full run took {elapsed}.

{md}
""".format(md=md, **{k: g(k, "?") for k in (
        "date", "cmd", "nodes", "warmup", "wrkargs", "nice", "nproc", "cpu", "mem", "os",
        "ironic_version", "wrk_version", "dotnet_version", "git_rev", "src_hash", "ports", "bifrost_seed", "elapsed")})
    text = open(out).read() if os.path.exists(out) else ""
    if MARKER not in text:
        text = HEADER + "\n" + MARKER + "\n"
    head, _, rest = text.partition(MARKER)
    with open(out, "w") as fh:
        fh.write(head + MARKER + "\n\n" + section + rest.lstrip("\n"))
    print("\nwrote %s" % out)


HEADER = """# Bifrost benchmark results

This file records benchmark results, each with the command that produced it, the date, the machine and
the versions, newest first. `bench/api/run.sh` inserts a new section below the marker; notes written by
hand go under the section they refer to.
"""

if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"probe": probe, "check": check, "table": table}[cmd](*args)

"""`make soak`: the public site held at 80 % of its maximum rate for 5 minutes.

Uses the `make bench` database (PostgreSQL, 10 000 announcements) and the same
gunicorn configuration in production mode (DEBUG off, Redis cache, anonymous
page cache on). The maximum rate is measured first in the same run, as
`make bench` measures it: wrk at full speed for BENCH_SECONDS on the mix of page
types (home, news list and detail, meeting list and detail, work plan, search,
RSS, sitemap). Then wrk holds 80 % of that rate for SOAK_SECONDS (default 300),
while the gunicorn workers' resident memory (RSS) is sampled.

Prints and writes to var/soak.md: target and achieved rate, responses by status
class, latency, and each worker's RSS at the start and the end. Exits non-zero
on any 5xx response or an RSS change beyond 10 %.
"""

import json
import os
import re
import subprocess
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.common import free_port, save_table, worker_pids
from bench.pages import (
    CONNECTIONS,
    SECONDS,
    WORKERS,
    Server,
    environment,
    page_paths,
    prepare,
)

SOAK_SECONDS = int(os.environ.get("SOAK_SECONDS", "300"))
SHARE = 0.8
RSS_TOLERANCE = 0.10

LUA = """
paths = %(paths)s
delay_ms = %(delay_ms)f
threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  n, s2, s3, s4, s5 = 0, 0, 0, 0, 0
end

function request()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1])
end

%(delay)s

function response(status, headers, body)
  if status >= 500 then s5 = s5 + 1
  elseif status >= 400 then s4 = s4 + 1
  elseif status >= 300 then s3 = s3 + 1
  else s2 = s2 + 1 end
end

function done(summary, latency, requests)
  local c2, c3, c4, c5 = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    c2 = c2 + t:get("s2"); c3 = c3 + t:get("s3"); c4 = c4 + t:get("s4"); c5 = c5 + t:get("s5")
  end
  io.write(string.format("STATUS %%d %%d %%d %%d\\n", c2, c3, c4, c5))
end
"""

# wrk waits whole milliseconds: a fractional wait is a mix of the two nearest.
DELAY = """
function delay()
  local whole = math.floor(delay_ms)
  if math.random() < delay_ms - whole then return whole + 1 end
  return whole
end
"""


def run_wrk(url, paths, seconds, delay_ms=None):
    script = LUA % {
        "paths": "{" + ", ".join(json.dumps(p) for p in paths) + "}",
        "delay_ms": delay_ms or 0,
        "delay": DELAY if delay_ms else "",
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        output = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{CONNECTIONS}",
                f"-d{seconds}s",
                "--latency",
                "-s",
                handle.name,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(handle.name)
    statuses = [int(n) for n in re.search(r"STATUS (\d+) (\d+) (\d+) (\d+)", output).groups()]
    latency = {
        share: float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
        for share, value, unit in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\b", output, re.M)
    }
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "statuses": dict(zip(("2xx", "3xx", "4xx", "5xx"), statuses, strict=True)),
        "p50": latency.get("50", 0.0),
        "p99": latency.get("99", 0.0),
    }


def rss_kib(pid):
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))


def fetch(url):
    return urllib.request.urlopen(url, timeout=60).read()


def main():
    prepare()
    env = environment(300)
    paths = list(page_paths(environment(0)).values())
    server = Server("asean_portal.wsgi", free_port(), env)
    base = f"http://127.0.0.1:{server.port}"
    samples = []
    try:
        # Every worker renders every page type uncached a few times (an
        # address the page cache has not seen), so that the memory measured
        # at the start is its working size, not that of a worker that has only
        # served cached pages; then every page is cached. The requests go
        # WORKERS at a time: one after another, they would all reach the same
        # worker.
        with ThreadPoolExecutor(WORKERS) as pool:
            for round_ in range(4):
                for path in paths:
                    separator = "&" if "?" in path else "?"
                    addresses = [
                        f"{base}{path}{separator}warm={round_}-{worker}"
                        for worker in range(WORKERS)
                    ]
                    list(
                        pool.map(
                            lambda url: urllib.request.urlopen(url, timeout=60).read(), addresses
                        )
                    )
        for path in paths:
            urllib.request.urlopen(base + path, timeout=60).read()
        calibration = run_wrk(base, paths, SECONDS)
        target = SHARE * calibration["rps"]
        # Each connection waits between requests so that all of them together
        # send the target rate; short trials correct the wait, since the
        # latency falls with the load.
        delay_ms = max(0.0, 1000 * CONNECTIONS / target - calibration["p50"])
        for _ in range(3):
            trial = run_wrk(base, paths, 5, delay_ms)
            delay_ms = max(0.0, delay_ms + 1000 * CONNECTIONS * (1 / target - 1 / trial["rps"]))

        workers = worker_pids(server.process.pid)
        start_rss = {pid: rss_kib(pid) for pid in workers}
        stop = threading.Event()

        def sample():
            while not stop.wait(10):
                samples.append({pid: rss_kib(pid) for pid in workers})

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        started = time.monotonic()
        soak = run_wrk(base, paths, SOAK_SECONDS, delay_ms)
        elapsed = time.monotonic() - started
        stop.set()
        sampler.join()
        end_workers = worker_pids(server.process.pid)
        end_rss = {pid: rss_kib(pid) for pid in end_workers}
    finally:
        server.stop()

    restarted = set(end_workers) != set(workers)
    changes = {
        pid: (end_rss[pid] - start_rss[pid]) / start_rss[pid] for pid in workers if pid in end_rss
    }
    lines = [
        f"Soak: {elapsed:.0f} s on {len(paths)} page types (page cache warm), gunicorn "
        f"{WORKERS} gthread workers, wrk -t2 -c{CONNECTIONS}, PostgreSQL, Redis.",
        "",
        "| measure | value |",
        "| --- | ---: |",
        f"| maximum rate (wrk at full speed, {SECONDS} s) | {calibration['rps']:.0f} rps |",
        f"| target (80 %) | {target:.0f} rps |",
        f"| achieved | {soak['rps']:.0f} rps |",
        f"| requests | {sum(soak['statuses'].values())} |",
        *(f"| {name} responses | {count} |" for name, count in soak["statuses"].items()),
        f"| p50 / p99 | {soak['p50']:.2f} ms / {soak['p99']:.2f} ms |",
        *(
            f"| worker {pid} RSS start → end | {start_rss[pid] / 1024:.1f} MiB → "
            f"{end_rss.get(pid, 0) / 1024:.1f} MiB ({100 * changes.get(pid, 0):+.1f} %) |"
            for pid in workers
        ),
        "| RSS samples (every 10 s, MiB) | "
        + " ".join(f"{sum(s.values()) / 1024:.0f}" for s in samples)
        + " |",
    ]
    verdicts = []
    if soak["statuses"]["5xx"]:
        verdicts.append(f"{soak['statuses']['5xx']} responses were 5xx")
    if restarted:
        verdicts.append("a gunicorn worker was replaced during the run")
    if any(abs(change) > RSS_TOLERANCE for change in changes.values()):
        verdicts.append("worker memory changed by more than 10 %")
    lines += [
        "",
        "Result: " + ("; ".join(verdicts) if verdicts else "no 5xx, memory flat within 10 %."),
    ]
    save_table("\n".join(lines), "soak.md")
    if verdicts:
        raise SystemExit(1)


if __name__ == "__main__":
    main()

"""`make bench-cluster`: what the caching proxy buys, on `make cluster`.

The same page (the Vietnamese news list, as a reader with the language
cookie gets it) through the proxy with a warm cache, straight from one web
node (Django's page cache warm), and the same bytes as a static file served
by the same nginx; beside them a minimal Django hello-world under the same
gunicorn configuration (one node's ceiling). wrk, 2 threads, BENCH_CONNECTIONS
connections (8) for BENCH_SECONDS (10) each; writes var/bench-cluster.txt.
"""

import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR / "deploy"))

import cluster  # noqa: E402

from bench.common import save_table  # noqa: E402
from bench.pages import Server  # noqa: E402

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
PAGE = "/vi/tin-tuc/"
COOKIE = "portal_language=vi"


def fetch(url):
    request = urllib.request.Request(url, headers={"Cookie": COOKIE})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read()


def wrk(url):
    for _ in range(4):
        fetch(url)
    output = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", "-H", f"Cookie: {COOKIE}"]
        + [url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", output, re.M))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return (
        float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        latency.get("50", "?"),
        latency.get("99", "?"),
        int(non_2xx.group(1)) if non_2xx else 0,
    )


def main():
    proxy = f"http://127.0.0.1:{cluster.PROXY_PORT}"
    try:
        body = fetch(proxy + PAGE)
    except OSError:
        raise SystemExit(
            "The cluster is not running: make cluster (or make bench-cluster)."
        ) from None
    static = Path(cluster.environment()["STATIC_ROOT"]) / "bench" / "news.html"
    static.parent.mkdir(parents=True, exist_ok=True)
    static.write_bytes(body)
    rows = [
        ("proxy, warm cache", wrk(proxy + PAGE)),
        ("one node (page cache)", wrk(f"http://127.0.0.1:{cluster.NODE_PORTS[0]}{PAGE}")),
        ("nginx static, same bytes", wrk(proxy + "/static/bench/news.html")),
    ]
    hello = Server("bench.hello:application", cluster.NODE_PORTS[1] + 100, os.environ, probe="/")
    try:
        rows.append(("Django hello-world, one node", wrk(f"http://127.0.0.1:{hello.port}/")))
    finally:
        hello.stop()
    lines = [
        f"{len(body)} bytes, wrk -t2 -c{CONNECTIONS} -d{SECONDS}s",
        "| what | req/s | p50 | p99 | non-2xx |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {name} | {rps:.0f} | {p50} | {p99} | {bad} |" for name, (rps, p50, p99, bad) in rows
    ]
    print(f"Written to {save_table(chr(10).join(lines), 'bench-cluster.txt')}")


if __name__ == "__main__":
    main()

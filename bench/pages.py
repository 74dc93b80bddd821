"""`make bench`: public pages under load, against Django's own ceiling.

1. Prepares a PostgreSQL database of its own with the seed content and the demo
   dataset (10 000 announcements, 200 meetings, 500 activities), and collects
   static files.
2. Starts gunicorn with the project's gunicorn.conf.py (2 gthread workers; DEBUG
   off, Redis cache) on the portal, once with the anonymous page cache off
   (cold) and once on (warm), and the same gunicorn configuration on a minimal
   hello-world view (the ceiling).
3. Drives each page type with wrk (the sitemap page also as crawlers ask for
   it, with Accept-Encoding: gzip), after two floors: an answer through the
   middleware alone (robots.txt) and a page of the layout alone (the search
   page before any words are given), and prints rps, p50, p99, the ratio to
   the hello-world rate (the median of readings of CEILING_SECONDS, one before
   each measurement), the queries per page, and the CPU each server's
   processes (gunicorn's workers, PostgreSQL, Redis) spent per request, read
   from /proc.
4. Drives a mix spread the way readers spread over an archive (home, the lists,
   search and STORM_PAGES distinct news pages) with the page cache on, once
   untouched (warm), once while a second process saves a random live
   announcement every STORM_INTERVAL seconds through the ORM, with the signals
   a real save sends (the edit storm), and once while it publishes a new
   announcement in a random category as often (the publication storm); the
   miss rate is read from each response's X-Page-Cache header.
5. Writes the tables to var/bench.md and stops every process it started.

Environment: BENCH_DATABASE_URL, BENCH_REDIS_URL, BENCH_SECONDS (per page,
default 10), BENCH_CONNECTIONS (default 8), BENCH_STORM_SECONDS (default 30).
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.common import ensure_database, free_port, save_table, worker_pids

BASE_DIR = Path(__file__).resolve().parents[1]
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/asean_portal_bench_pages"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
STORM_SECONDS = int(os.environ.get("BENCH_STORM_SECONDS", "30"))
STORM_PAGES = 300
STORM_INTERVAL = 2
CEILING_SECONDS = 4
# A run in which one worker used less than this share of the workers' CPU is
# measured again (wrk), up to ATTEMPTS times.
UNEVEN = 0.25
ATTEMPTS = 3
WORKERS = 2
SIZES = {"announcements": 10_000, "meetings": 200, "activities": 500}


def environment(page_cache_seconds):
    return {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "DEBUG": "0",
        "SECRET_KEY": "bench-secret-key-that-is-long-enough-for-django-checks-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PAGE_CACHE_SECONDS": str(page_cache_seconds),
        "STATIC_ROOT": str(BASE_DIR / "var" / "bench-static"),
        "PORTAL_ENV_FILE": os.devnull,
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "asean_portal.settings",
        "PYTHONPATH": str(BASE_DIR),
    }


def manage(*args, env):
    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)


def prepare():
    env = environment(0)
    ensure_database(DATABASE_URL)
    manage("migrate", "--noinput", "-v0", env=env)
    manage("load_seed_content", "-v0", env=env)
    code = (
        "import django; django.setup(); from events.models import Announcement; "
        "print(Announcement.objects.count())"
    )
    count = int(
        subprocess.run(
            [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True
        ).stdout.strip()
        or 0
    )
    if count < SIZES["announcements"]:
        started = time.monotonic()
        manage(
            "generate_demo_content",
            *(f"--{kind}={size}" for kind, size in SIZES.items()),
            "--replace",
            env=env,
        )
        print(f"demo dataset generated in {time.monotonic() - started:.1f} s")
    manage("collectstatic", "--noinput", "-v0", env=env)


class Server:
    def __init__(self, app, port, env, probe="/healthz"):
        self.port = port
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                app,
                "--config",
                str(BASE_DIR / "gunicorn.conf.py"),
                "--workers",
                str(WORKERS),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            cwd=BASE_DIR,
            env=env,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{probe}", timeout=2)
                break
            except Exception:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise SystemExit(f"gunicorn for {app} did not start") from None
                time.sleep(0.2)

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


# Every request names the host as a reader's does, without the port: the
# portal keeps finished copies (sitemap sections) only at a host it serves.
HOST = "127.0.0.1"


def fetch(url):
    request = urllib.request.Request(url, headers={"Host": HOST})
    return urllib.request.urlopen(request, timeout=30).read()


def cpu_times(pids):
    """{pid: the CPU time (user and system) it has used, in seconds}."""
    found = {}
    for pid in pids:
        try:
            # The fields after the command's name, from the state on: utime, stime.
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # it ended meanwhile
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return found


def spent(before, after):
    """The CPU time the processes of ``after`` used since ``before``: one that
    started meanwhile (a database connection) counts from zero, one that
    ended is left out."""
    return sum(seconds - before.get(pid, 0) for pid, seconds in after.items())


def named_processes(name):
    """The processes whose command is ``name`` (every process of a server)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def servers_of(server):
    """The processes whose CPU a request of ``server`` costs, by server:
    gunicorn's workers, every PostgreSQL process, Redis."""
    return lambda: {
        "web": worker_pids(server.process.pid),
        "PostgreSQL": named_processes("postgres"),
        "Redis": named_processes("redis-server"),
    }


def wrk(url, seconds=SECONDS, script=None, processes=None):
    """wrk's rates and latencies; with ``processes`` (servers_of), the CPU
    each server spent per request meanwhile, in ms.

    wrk's connections stay with the worker that accepted them, and at times
    one worker accepts them all: the run then measures one core, at half the
    rate. Such a run (a worker with less than UNEVEN of the workers' CPU) is
    measured again, up to ATTEMPTS times."""
    # A first request warms each worker (and the page cache, when it is on).
    for _ in range(WORKERS * 2):
        fetch(url)
    command = [
        "wrk",
        "-t2",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        "--latency",
        "-H",
        f"Host: {HOST}",
    ]
    if script:
        command += ["-s", str(script)]
    attempts = 0
    while True:
        attempts += 1
        before = {group: cpu_times(pids) for group, pids in (processes or dict)().items()}
        output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
        after = {group: cpu_times(pids) for group, pids in (processes or dict)().items()}
        workers = [
            seconds - before["web"].get(pid, 0) for pid, seconds in after.get("web", {}).items()
        ]
        even = len(workers) < 2 or min(workers) >= UNEVEN * max(sum(workers), 1e-9)
        if even or attempts == ATTEMPTS:
            break
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", output, re.M))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    cache = re.search(r"^page cache: (\d+) (\d+)$", output, re.M)
    return {
        "rps": rps,
        "p50": latency.get("50", "?"),
        "p99": latency.get("99", "?"),
        "errors": int(non_2xx.group(1)) if non_2xx else 0,
        "misses": (int(cache.group(1)), int(cache.group(2))) if cache else None,
        "cpu": {
            group: 1000 * spent(before[group], after[group]) / max(requests, 1) for group in after
        },
        "attempts": attempts,
        "even": even,
    }


def page_paths(env):
    """One address per page type, found in the benchmark's own data."""
    code = """
import django, json
django.setup()
from django.utils import translation
from events.models import Announcement, Meeting
translation.activate("vi")
news = Announcement.objects.live().order_by("-publish_at").first()
meeting = Meeting.objects.live().order_by("-start_date").first()
print(json.dumps({"news": news.get_absolute_url(), "meeting": meeting.get_absolute_url()}))
"""
    import json

    found = json.loads(
        subprocess.run(
            [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True
        ).stdout
    )
    return {
        # The floors: what any answer costs (the middleware, no template) and
        # what any page costs (the layout: header, footer, language links),
        # with no query.
        "middleware only (robots.txt)": "/robots.txt",
        "layout only (search, no words)": "/vi/tim-kiem/",
        "home": "/vi/",
        "news list": "/vi/tin-tuc/",
        "news detail": found["news"],
        "meeting list": "/vi/hoi-nghi/",
        "meeting detail": found["meeting"],
        "work plan": "/vi/ke-hoach-lam-viec/",
        "search": "/vi/tim-kiem/?q=c%C3%B4ng+v%E1%BB%A5",
        "RSS feed": "/vi/tin-tuc/rss/",
        "sitemap": "/sitemap-news.xml",
        "sitemap, gzip": "/sitemap-news.xml",
    }


# Pages asked as a crawler asks, with Accept-Encoding: gzip.
GZIP_PAGES = {"sitemap, gzip"}
ACCEPT_GZIP = 'wrk.headers["Accept-Encoding"] = "gzip"\n'


STORM_SCRIPT = """
local paths = {%s}
misses, seen = 0, 0
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  math.randomseed(os.time() + #threads * 7919 + math.floor(os.clock() * 1000000))
end
function request()
  return wrk.format("GET", paths[math.random(#paths)])
end
function response(status, headers, body)
  seen = seen + 1
  if headers["X-Page-Cache"] == "miss" then
    misses = misses + 1
  end
end
function done(summary, latency, requests)
  local m, n = 0, 0
  for _, thread in ipairs(threads) do
    m = m + thread:get("misses")
    n = n + thread:get("seen")
  end
  io.write(string.format("page cache: %%d %%d\\n", m, n))
end
"""

SAVER = """
import django, random, sys, time
django.setup()
from events.models import Announcement
ids = list(Announcement.objects.live().values_list("pk", flat=True))
print("ready", flush=True)
sys.stdin.readline()
saved = 0
while True:
    item = Announcement.objects.get(pk=random.choice(ids))
    item.lead_vi = (item.lead_vi or "").rstrip(" .") + "."
    item.save()
    saved += 1
    print(saved, flush=True)
    time.sleep(%s)
"""


PUBLISHER = """
import django, random, sys, time
django.setup()
from django.utils import timezone
from asean_portal.core.publishing import Status
from events.models import Announcement, Category
categories = list(Category.objects.values_list("pk", flat=True))
print("ready", flush=True)
sys.stdin.readline()
saved = 0
while True:
    saved += 1
    Announcement.objects.create(
        title_vi=f"Tin mới trong lúc đo số {saved}",
        title_en=f"News published during the bench, {saved}",
        lead_vi="Tóm tắt.",
        lead_en="Summary.",
        category_id=random.choice(categories),
        status=Status.PUBLISHED,
        publish_at=timezone.now(),
    )
    print(saved, flush=True)
    time.sleep(%s)
"""
STORMS = {"edits": SAVER, "publications": PUBLISHER}


# The mix's runs: what a second process does meanwhile (a key of STORMS).
MIXES = {"warm": None, "storm": "edits", "publications": "publications"}


def storm_paths(env):
    """The archive mix: home, the lists, search and STORM_PAGES distinct news pages."""
    import json

    code = f"""
import django, json
django.setup()
from django.utils import translation
from events.models import Announcement
translation.activate("vi")
news = Announcement.objects.live().order_by("?")[:{STORM_PAGES}]
print(json.dumps([item.get_absolute_url() for item in news]))
"""
    news = json.loads(
        subprocess.run(
            [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True
        ).stdout
    )
    return [
        "/vi/",
        "/en/",
        "/vi/tin-tuc/",
        "/vi/tin-tuc/?page=2",
        "/vi/hoi-nghi/",
        "/vi/ke-hoach-lam-viec/",
        "/vi/tim-kiem/?q=c%C3%B4ng+v%E1%BB%A5",
        "/vi/tim-kiem/?q=ASEAN",
        *news,
    ]


def storm(port, paths, env, edits, processes=None):
    """wrk over the archive mix; with ``edits`` ("edits" or "publications", a
    key of STORMS), a process saves an item every STORM_INTERVAL seconds
    meanwhile."""
    script = BASE_DIR / "var" / "bench-storm.lua"
    script.parent.mkdir(exist_ok=True)
    script.write_text(STORM_SCRIPT % ", ".join(f'"{path}"' for path in paths))
    saver = None
    if edits:
        saver = subprocess.Popen(
            [sys.executable, "-c", STORMS[edits] % STORM_INTERVAL],
            cwd=BASE_DIR,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        if saver.stdout.readline().strip() != "ready":
            raise SystemExit("the edit-storm process did not start")
    for path in paths:
        fetch(f"http://127.0.0.1:{port}{path}")
    if saver:
        saver.stdin.write("go\n")
        saver.stdin.flush()
    try:
        result = wrk(
            f"http://127.0.0.1:{port}/vi/",
            seconds=STORM_SECONDS,
            script=script,
            processes=processes,
        )
    finally:
        if saver:
            failed = saver.poll() is not None
            saver.terminate()
            output, _ = saver.communicate(timeout=30)
            if failed:
                raise SystemExit("the edit-storm process stopped early")
            result["saves"] = len(output.split())
    return result


def query_counts(paths, env):
    """Queries each page makes with the page cache off, through Django's test client."""
    import json

    code = f"""
import django, json
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client = Client(HTTP_HOST="127.0.0.1")
counts = {{}}
for name, path in {paths!r}.items():
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    counts[name] = (response.status_code, len(queries))
print(json.dumps(counts))
"""
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise SystemExit(result.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1])


def admin_changelist(env):
    """p50 and p95 of the announcement change list (10 000 rows), in ms."""
    code = """
import django, json, statistics, time
django.setup()
from django.contrib.auth import get_user_model
from django.test import Client
user, _ = get_user_model().objects.get_or_create(
    username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
)
client = Client()
client.force_login(user)
url = "/vi/admin/events/announcement/"
assert client.get(url).status_code == 200
values = []
for _ in range(20):
    started = time.perf_counter()
    client.get(url)
    values.append((time.perf_counter() - started) * 1000)
values.sort()
print(json.dumps([statistics.median(values), values[18]]))
"""
    import json

    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={**env, "ALLOWED_HOSTS": "testserver"},
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise SystemExit(result.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main():
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: `make bench` installs it from Debian's packages")
    prepare()
    cold_env = environment(0)
    paths = page_paths(cold_env)
    queries = query_counts(paths, cold_env)
    admin_p50, admin_p95 = admin_changelist(cold_env)
    results = {}

    hello_env = {key: value for key, value in cold_env.items() if key != "DJANGO_SETTINGS_MODULE"}
    hello = Server("bench.hello:application", free_port(), hello_env, probe="/")
    ceilings = []

    def beside(measure, *args, **kwargs):
        """A measurement, after a reading of the ceiling. On a shared machine
        the rate of the same process moves by half within a run: every ratio
        is to the median of all the readings, spread over the whole run."""
        ceilings.append(
            wrk(
                f"http://127.0.0.1:{hello.port}/",
                seconds=CEILING_SECONDS,
                processes=lambda: {"web": worker_pids(hello.process.pid)},
            )
        )
        return measure(*args, **kwargs)

    try:
        mix = storm_paths(cold_env)
        gzip_script = BASE_DIR / "var" / "bench-gzip.lua"
        gzip_script.parent.mkdir(exist_ok=True)
        gzip_script.write_text(ACCEPT_GZIP)
        for mode, seconds in (("cold", 0), ("warm", 300)):
            server = Server("asean_portal.wsgi", free_port(), environment(seconds))
            try:
                for name, path in paths.items():
                    results[(name, mode)] = beside(
                        wrk,
                        f"http://127.0.0.1:{server.port}{path}",
                        script=gzip_script if name in GZIP_PAGES else None,
                        processes=servers_of(server),
                    )
                if seconds:
                    for storm_mode, edits in MIXES.items():
                        results[("mix", storm_mode)] = beside(
                            storm,
                            server.port,
                            mix,
                            environment(seconds),
                            edits,
                            servers_of(server),
                        )
            finally:
                server.stop()
    finally:
        hello.stop()
    ceiling = sorted(ceilings, key=lambda result: result["rps"])[len(ceilings) // 2]
    lowest = min(result["rps"] for result in ceilings)
    highest = max(result["rps"] for result in ceilings)

    measured = [*results.values(), *ceilings]
    again = sum(result["attempts"] > 1 for result in measured)
    uneven = [f"{name} ({mode})" for (name, mode), result in results.items() if not result["even"]]
    lines = [
        f"Hello-world ceiling: median {ceiling['rps']:.0f} rps (p50 {ceiling['p50']}, "
        f"p99 {ceiling['p99']}; {len(ceilings)} readings of {CEILING_SECONDS} s from "
        f"{lowest:.0f} to {highest:.0f} rps, one before each measurement; each ratio is to "
        f"their median); gunicorn {WORKERS} gthread workers, "
        f"wrk -t2 -c{CONNECTIONS} "
        f"-d{SECONDS}s, PostgreSQL, Redis, {SIZES['announcements']} announcements. "
        f"{again} of {len(measured)} measurements were taken again because one worker "
        f"had served nearly all of them (less than {UNEVEN:.0%} of the workers' CPU: "
        "wrk's connections stay with the worker that accepted them)"
        + (f"; still uneven after {ATTEMPTS} runs: {', '.join(uneven)}." if uneven else "."),
        "",
        "| page | queries | cold rps | cold p50 | cold p99 | cold % of ceiling "
        "| warm rps | warm p50 | warm p99 | warm % of ceiling |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in paths:
        cold, warm = results[(name, "cold")], results[(name, "warm")]
        status, count = queries[name]
        lines.append(
            f"| {name} | {count}{'' if status == 200 else f' ({status})'} "
            f"| {cold['rps']:.0f} | {cold['p50']} | {cold['p99']} "
            f"| {100 * cold['rps'] / ceiling['rps']:.1f} % "
            f"| {warm['rps']:.0f} | {warm['p50']} | {warm['p99']} "
            f"| {100 * warm['rps'] / ceiling['rps']:.1f} % |"
        )
        if cold["errors"] or warm["errors"]:
            lines.append(f"|  ⚠ {name}: {cold['errors'] + warm['errors']} error responses |")
    hello_cpu = sorted(result["cpu"]["web"] for result in ceilings)[len(ceilings) // 2]
    lines += [
        "",
        "CPU per request, in ms, of each server's processes while wrk ran (gunicorn's "
        "workers, every PostgreSQL process, Redis; read from /proc): what a request "
        "costs the machine, steadier than a rate on a shared machine. The hello-world "
        f"view costs its workers {hello_cpu:.2f} ms (median of the readings).",
        "",
        "| page | cold web | cold PostgreSQL | cold Redis | warm web | warm PostgreSQL "
        "| warm Redis |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in paths:
        cold, warm = results[(name, "cold")]["cpu"], results[(name, "warm")]["cpu"]
        lines.append(
            f"| {name} | "
            + " | ".join(
                f"{usage[group]:.2f}"
                for usage in (cold, warm)
                for group in ("web", "PostgreSQL", "Redis")
            )
            + " |"
        )
    lines += [
        "",
        f"The archive mix ({len(mix)} pages: home, lists, search, {STORM_PAGES} news pages, "
        f"picked at random), page cache on, {STORM_SECONDS} s each; during the edit storm "
        f"a process saves a random live announcement every {STORM_INTERVAL} s, during the "
        "publication storm it publishes a new one in a random category as often.",
        "",
        "| mix | rps | p50 | p99 | % of ceiling | page-cache misses | saves "
        "| CPU ms: web, PostgreSQL, Redis |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for mode in MIXES:
        result = results[("mix", mode)]
        misses, seen = result["misses"]
        usage = result["cpu"]
        lines.append(
            f"| {mode} | {result['rps']:.0f} | {result['p50']} | {result['p99']} "
            f"| {100 * result['rps'] / ceiling['rps']:.1f} % "
            f"| {100 * misses / max(seen, 1):.1f} % of {seen} | {result.get('saves', 0)} "
            f"| {usage['web']:.2f}, {usage['PostgreSQL']:.2f}, {usage['Redis']:.2f} |"
        )
    lines += [
        "",
        f"Admin change list of announcements ({SIZES['announcements']} rows): "
        f"p50 {admin_p50:.0f} ms, p95 {admin_p95:.0f} ms.",
    ]
    saved = save_table("\n".join(lines), "bench.md")
    print(f"\n(saved in {saved})")


if __name__ == "__main__":
    main()

"""`make bench-micro`: search latency at 100 000 announcements, the admin change
list at 10 000 rows, and the throughput of generate_demo_content, on
PostgreSQL (a database of its own, BENCH_MICRO_DATABASE_URL).

BENCH_SEARCH_ITEMS sets the number of announcements (default 100 000).
"""

import os
import statistics
import sys
import time
from pathlib import Path

from bench.common import ensure_database, percentile
from bench.pages import admin_changelist

BASE_DIR = Path(__file__).resolve().parents[1]
DATABASE_URL = os.environ.get(
    "BENCH_MICRO_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/asean_portal_bench_micro"
)
ITEMS = int(os.environ.get("BENCH_SEARCH_ITEMS", "100000"))
QUERIES = [
    "công vụ",
    "cong vu",
    "civil service",
    "ACCSM",
    "hợp tác",
    "digital",
    "chuyển đổi số",
    "Viet Nam",
    "nhân lực",
    "2025",
]


def timings(function, runs):
    values = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        values.append((time.perf_counter() - started) * 1000)
    return statistics.median(values), percentile(values, 0.95)


def main():
    ensure_database(DATABASE_URL)
    os.environ.update(
        {
            "DATABASE_URL": DATABASE_URL,
            "DJANGO_SETTINGS_MODULE": "asean_portal.settings",
            "SECRET_KEY": "bench-secret-key-that-is-long-enough-for-django-checks-0123456789",
            "PORTAL_ENV_FILE": os.devnull,
            "PAGE_CACHE_SECONDS": "0",
            "ALLOWED_HOSTS": "testserver",
            "LOG_LEVEL": "WARNING",
            "STATIC_ROOT": str(BASE_DIR / "var" / "bench-static"),
        }
    )
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from events.models import Announcement

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    rows = {}
    if Announcement.objects.count() < ITEMS:
        started = time.perf_counter()
        call_command(
            "generate_demo_content", announcements=ITEMS, replace=True, seed=3, verbosity=0
        )
        elapsed = time.perf_counter() - started
        rows["generate_demo_content"] = f"{ITEMS} announcements in {elapsed:.1f} s " + (
            f"({ITEMS / elapsed:.0f} rows/s, search index included)"
        )
    else:
        rows["generate_demo_content"] = "(data from an earlier run; delete the database to time it)"

    reader = Client()

    def search_page(query):
        response = reader.get("/vi/tim-kiem/", {"q": query})
        assert response.status_code == 200

    for query in QUERIES:  # warm the database's caches
        search_page(query)
    results = {query: timings(lambda q=query: search_page(q), 20) for query in QUERIES}
    all_p50 = statistics.median(value[0] for value in results.values())
    all_p95 = max(value[1] for value in results.values())

    admin_p50, admin_p95 = admin_changelist(dict(os.environ))

    print()
    print(f"Micro-benchmarks on PostgreSQL, {Announcement.objects.count()} announcements")
    print()
    print("| measure | p50 | p95 |")
    print("| --- | ---: | ---: |")
    for query, (p50, p95) in results.items():
        print(f"| search page “{query}” | {p50:.1f} ms | {p95:.1f} ms |")
    print(f"| search, all queries | {all_p50:.1f} ms | {all_p95:.1f} ms (worst) |")
    print(f"| admin change list of announcements | {admin_p50:.1f} ms | {admin_p95:.1f} ms |")
    print()
    for name, text in rows.items():
        print(f"{name}: {text}")


if __name__ == "__main__":
    main()

"""`make bench-publish`: how late the side effects of scheduled publishing run.

With a real Celery worker (and beat) on a real Redis and PostgreSQL:

1. worker up: N announcements are scheduled 2–5 s ahead; the lateness of each
   one's side effects (status flip, event, cache purge, email) is read from its
   PublicationEvent;
2. outage: the worker stops, N more are scheduled to fall due during a 60 s
   outage, the worker starts again, and the time until all have been caught up
   is measured.

Visibility itself never lags: the public sees what live(now) returns, which
is decided in the query at the due instant, worker or not.

Environment: BENCH_DATABASE_URL (a database of its own, created if missing),
BENCH_REDIS_URL, BENCH_ITEMS (default 200), BENCH_OUTAGE_SECONDS (default 60).
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench.common import ensure_database, percentile

BASE_DIR = Path(__file__).resolve().parents[1]
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/asean_portal_bench"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")
ITEMS = int(os.environ.get("BENCH_ITEMS", "200"))
OUTAGE = float(os.environ.get("BENCH_OUTAGE_SECONDS", "60"))


def setup_django():
    os.environ.update(
        {
            "DATABASE_URL": DATABASE_URL,
            "REDIS_URL": REDIS_URL,
            "DJANGO_SETTINGS_MODULE": "asean_portal.settings",
            "EMAIL_URL": "dummymail://",
        }
    )
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


class Worker:
    """A worker with embedded beat, as `make run` starts them."""

    def __init__(self, log_dir):
        self.log = Path(log_dir) / f"worker-{time.monotonic_ns()}.log"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "asean_portal",
                "worker",
                "-B",
                "-s",
                str(self.log.with_suffix(".beat")),
                "--loglevel=INFO",
                "--concurrency=2",
            ],
            cwd=BASE_DIR,
            env=os.environ.copy(),
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while "ready." not in self.log.read_text():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise SystemExit(f"the worker did not start:\n{self.log.read_text()}")
            time.sleep(0.1)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=60)


def wait_until(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def main():
    ensure_database(DATABASE_URL)
    setup_django()
    import redis
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone

    from asean_portal.core.publishing import PublicationEvent, Status, item_schedule
    from events.models import Announcement, Category

    redis.Redis.from_url(REDIS_URL).flushdb()
    Announcement.objects.filter(title_vi__startswith="Bench ").delete()
    PublicationEvent.objects.all().delete()
    officer, _ = get_user_model().objects.get_or_create(
        username="bench-officer", defaults={"is_staff": True, "email": "bench@example.gov.vn"}
    )
    officer.groups.add(Group.objects.get(name="Press officer"))
    officer = get_user_model().objects.get(pk=officer.pk)  # fresh permission cache
    category, _ = Category.objects.get_or_create(
        slug_vi="bench", defaults={"name_vi": "Bench", "name_en": "Bench"}
    )

    def schedule(label, seconds_from, seconds_to):
        ids = []
        for index in range(ITEMS):
            item = Announcement.objects.create(
                title_vi=f"Bench {label} {index}",
                title_en=f"Bench {label} {index}",
                lead_vi="Bench.",
                lead_en="Bench.",
                body_vi="<p>Bench.</p>",
                body_en="<p>Bench.</p>",
                category=category,
            )
            ahead = seconds_from + (seconds_to - seconds_from) * index / max(ITEMS - 1, 1)
            with transaction.atomic():
                item_schedule(item=item, at=timezone.now() + timedelta(seconds=ahead), by=officer)
            ids.append(item.pk)
        return ids

    def events_for(ids):
        return PublicationEvent.objects.filter(object_id__in=ids, action="published")

    results = {}
    with tempfile.TemporaryDirectory() as log_dir:
        worker = Worker(log_dir)
        worker.start()
        up = schedule("up", 2, 5)
        wait_until(lambda: events_for(up).count() >= len(up), timeout=60)
        time.sleep(2)  # let any duplicate arrive
        lateness = list(events_for(up).values_list("lateness_ms", flat=True))
        results["worker up"] = {
            "items": len(up),
            "published": len(set(events_for(up).values_list("object_id", flat=True))),
            "duplicates": len(lateness)
            - len(set(events_for(up).values_list("object_id", flat=True))),
            "p50_ms": statistics.median(lateness) if lateness else None,
            "p99_ms": percentile(lateness, 0.99) if lateness else None,
            "max_ms": max(lateness) if lateness else None,
        }

        worker.stop()
        stopped = time.monotonic()
        down = schedule("outage", 5, max(OUTAGE - 10, 6))
        time.sleep(max(0.0, OUTAGE - (time.monotonic() - stopped)))
        overdue_before = Announcement.objects.filter(pk__in=down, status=Status.SCHEDULED).count()
        visible = Announcement.objects.live().filter(pk__in=down).count()
        restarted = time.monotonic()
        worker = Worker(log_dir)
        worker.start()
        wait_until(lambda: events_for(down).count() >= len(down), timeout=120)
        caught_up = time.monotonic() - restarted
        time.sleep(2)
        worker.stop()
        count = events_for(down).count()
        distinct = len(set(events_for(down).values_list("object_id", flat=True)))
        results["60 s outage"] = {
            "items": len(down),
            "overdue when the worker returned": overdue_before,
            "public during the outage": visible,
            "published": distinct,
            "duplicates": count - distinct,
            "catch-up_s (from worker start)": round(caught_up, 2),
        }

    print()
    print(f"Scheduled publishing — {ITEMS} items per run, real worker + beat, Redis, PostgreSQL")
    print("visibility lag: 0 s by construction (live(now) decides at query time)")
    print()
    up = results["worker up"]
    print("| run | items | published | duplicates | p50 ms | p99 ms | max ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| worker up | {up['items']} | {up['published']} | {up['duplicates']} | "
        f"{up['p50_ms']} | {up['p99_ms']} | {up['max_ms']} |"
    )
    out = results["60 s outage"]
    print()
    print("| run | items | public during outage | published | duplicates | catch-up s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| {OUTAGE:.0f} s outage | {out['items']} | {out['public during the outage']} | "
        f"{out['published']} | {out['duplicates']} | {out['catch-up_s (from worker start)']} |"
    )
    target = BASE_DIR / "var" / "bench-publish.json"
    target.parent.mkdir(exist_ok=True)
    target.write_text(json.dumps(results, indent=2))
    print(f"\n(saved in {target.relative_to(BASE_DIR)})")
    failed = (
        up["published"] != up["items"]
        or up["duplicates"]
        or out["published"] != out["items"]
        or out["duplicates"]
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

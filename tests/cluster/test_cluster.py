"""The scaled-out portal as `make cluster` starts it (nginx :8080, two gunicorn
nodes, two workers, two beats, moto's S3 server): run by `make test-cluster`,
which starts the cluster first and stops it after. Staff actions run in the
cluster's own environment (`manage.py shell`), so their signals, tasks and
purges go through the real workers, Redis and proxy.

The tests run in file order: the last ones stop a beat and kill a node."""

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

if os.environ.get("PORTAL_CLUSTER") != "1":
    pytest.skip("needs `make cluster`: run by `make test-cluster`", allow_module_level=True)

from tests.conftest import BASE_DIR, wait_for

sys.path.insert(0, str(BASE_DIR / "deploy"))
import cluster  # noqa: E402

PROXY = f"http://127.0.0.1:{cluster.PROXY_PORT}"
NODE_2 = f"http://127.0.0.1:{cluster.NODE_PORTS[1]}"


def shell(code):
    """Run ``code`` in the cluster's environment; it prints one JSON value."""
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=BASE_DIR,
        env=cluster.environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def get(url, language="vi"):
    request = urllib.request.Request(url, headers={"Cookie": f"portal_language={language}"})
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers


NEW_ITEM = """
import io, json
from datetime import timedelta
from django.core.files.base import ContentFile
from django.utils import timezone, translation
from PIL import Image
from events.models import Announcement, Category
from asean_portal.core.publishing import Status
buffer = io.BytesIO(); Image.new("RGB", (40, 30), "#0b3a75").save(buffer, "JPEG")
item = Announcement(category=Category.objects.first(), title_vi={vi!r}, title_en={en!r},
                    body_vi="<p>Nội dung.</p>", body_en="<p>Body.</p>", status={status!r},
                    publish_at=timezone.now() + timedelta(seconds={seconds}), image_alt_vi="Ảnh",
                    image_alt_en="Photo")
item.image.save("cluster.jpg", ContentFile(buffer.getvalue(), name="cluster.jpg"), save=False)
item.save()
urls = {{}}
for code in ("vi", "en"):
    with translation.override(code):
        urls[code] = item.get_absolute_url()
print(json.dumps({{"pk": item.pk, "urls": urls, "image": item.image.name}}))
"""


def new_item(vi, en, status="published", seconds=-60):
    return shell(NEW_ITEM.format(vi=vi, en=en, status=status, seconds=seconds))


def test_an_upload_is_shown_through_the_second_node_and_the_proxy():
    item = new_item("Ảnh từ cụm máy", "Photo from the cluster")
    public = f"public/{item['image']}"
    for base in (NODE_2, PROXY):
        assert wait_for(lambda b=base: public.encode() in get(b + item["urls"]["vi"])[1], 10)
    status, page, headers = get(PROXY + item["urls"]["vi"])
    # The original's public copy (the page's Open Graph image, or its picture).
    src = re.findall(rf'"(https?://[^"]*{re.escape(public)})"', page.decode())[0]
    # The page allows images from the store.
    assert src.split("/public/")[0].rsplit("/", 1)[0] in headers["Content-Security-Policy"]
    status, body, headers = get(src)
    assert status == 200 and body.startswith(b"\xff\xd8")
    assert "max-age" in headers["Cache-Control"]


def test_an_edit_is_seen_through_the_proxy_within_a_second_in_both_languages():
    item = new_item("Tiêu đề cũ", "Old title")
    for language in ("vi", "en"):
        get(PROXY + item["urls"][language], language)
        assert get(PROXY + item["urls"][language], language)[2]["X-Cache"] == "HIT"
    shell(
        "import json; from events.models import Announcement; "
        f"item = Announcement.objects.get(pk={item['pk']}); "
        "item.title_vi, item.title_en = 'Tiêu đề mới', 'New title'; item.save(); "
        "print(json.dumps(True))"
    )
    edited = time.monotonic()

    def seen():
        return "Tiêu đề mới" in get(PROXY + item["urls"]["vi"])[1].decode() and (
            "New title" in get(PROXY + item["urls"]["en"], "en")[1].decode()
        )

    assert wait_for(seen, timeout=5, interval=0.05)
    assert time.monotonic() - edited < 1.5  # shell's own exit included


def test_a_scheduled_item_goes_public_through_the_proxy_once():
    item = new_item("Tin hẹn giờ", "Scheduled news", status="scheduled", seconds=8)
    url = PROXY + item["urls"]["vi"]
    assert get(url)[0] == 404
    assert wait_for(lambda: get(url)[0] == 200, timeout=20, interval=0.2)
    time.sleep(3)  # a duplicate publication would be recorded by now
    events = shell(
        "import json; from asean_portal.core.publishing import PublicationEvent; "
        # The seed's items of other types have events of their own.
        f"print(json.dumps(PublicationEvent.objects.filter(object_id={item['pk']}, "
        "content_type__model='announcement', action='published').count()))"
    )
    assert events == 1


def pid(name):
    return int((cluster.FOLDER / f"{name}.pid").read_text())


def sends(name):
    return (cluster.FOLDER / f"{name}.log").read_text().count("Sending due task publish-due")


def test_stopping_the_active_beat_lets_the_other_take_over():
    before = {name: sends(name) for name in ("beat1", "beat2")}
    time.sleep(3)
    active = max(before, key=lambda name: sends(name) - before[name])
    other = "beat2" if active == "beat1" else "beat1"
    assert sends(other) == before[other]
    os.killpg(pid(active), signal.SIGKILL)
    waiting = sends(other)
    assert wait_for(lambda: sends(other) > waiting, timeout=15)


def test_killing_a_node_under_load_costs_no_request():
    # A form's cookie takes every request past the proxy's cache, to a node.
    load = subprocess.Popen(
        [
            "wrk",
            "-t2",
            "-c4",
            "-d8s",
            "--timeout",
            "10s",
            "-H",
            "Cookie: portal_language=vi; csrftoken=x",
        ]
        + [PROXY + "/vi/tin-tuc/"],
        stdout=subprocess.PIPE,
        text=True,
    )
    time.sleep(2)
    os.killpg(pid("web1"), signal.SIGKILL)
    output = load.communicate(timeout=60)[0]
    assert "Non-2xx or 3xx responses" not in output, output
    assert "Socket errors" not in output, output

"""The scaled-out portal as `make cluster` starts it (nginx :8080, two gunicorn
nodes, two workers, a publisher, two beats, moto's S3 server): run by
`make test-cluster`, which starts the cluster first and stops it after. Staff
act as an editor does, through the admin over HTTP: a staff member signs in on
node 1 (password and two-step code), then uploads, schedules and edits through
node 1 and node 2, so every save's signals, tasks and purges go through the
real nodes, workers, Redis and proxy. Only the setup (the account) and the
reads that check the outcome run in the cluster's environment
(`manage.py shell`).

The tests run in file order: the last ones stop a beat and kill a node."""

import io
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
import requests
from django_otp.oath import totp
from PIL import Image

if os.environ.get("PORTAL_CLUSTER") != "1":
    pytest.skip("needs `make cluster`: run by `make test-cluster`", allow_module_level=True)

from tests.conftest import BASE_DIR, wait_for

sys.path.insert(0, str(BASE_DIR / "deploy"))
import cluster  # noqa: E402

PROXY = f"http://127.0.0.1:{cluster.PROXY_PORT}"
NODE_1 = f"http://127.0.0.1:{cluster.NODE_PORTS[0]}"
NODE_2 = f"http://127.0.0.1:{cluster.NODE_PORTS[1]}"
ADMIN = "/vi/admin/"
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


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


# --- The admin over HTTP -------------------------------------------------------


class Forms(HTMLParser):
    """Each form of a page: what a browser posts when nothing is changed (the
    CSRF token, text, checked boxes, selected options, text areas)."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._select = self._textarea = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"id": attrs.get("id"), "fields": []})
        if not self.forms or not attrs.get("name") or "disabled" in attrs:
            if tag == "option" and self._select is not None and "selected" in attrs:
                self._select[1].append(attrs.get("value", ""))
            return
        fields, name = self.forms[-1]["fields"], attrs["name"]
        kind = attrs.get("type", "text").lower()
        if tag == "input" and kind not in ("submit", "button", "image", "reset", "file"):
            if kind not in ("checkbox", "radio"):
                fields.append((name, attrs.get("value", "")))
            elif "checked" in attrs:
                fields.append((name, attrs.get("value", "on")))
        elif tag == "select":
            self._select = (name, [], "multiple" in attrs)
        elif tag == "textarea":
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            name, chosen, multiple = self._select
            self.forms[-1]["fields"].extend(
                (name, value) for value in chosen[: None if multiple else 1]
            )
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            # HTML drops a text area's first line break.
            self.forms[-1]["fields"].append((name, text.removeprefix("\n")))
            self._textarea = None


def form(response, form_id=None):
    """The fields of the page's form ``form_id`` (or of its last form)."""
    forms = Forms(response.text).forms
    found = [f for f in forms if f["id"] == form_id] if form_id else forms[-1:]
    assert found, f"no form {form_id!r} on {response.url}"
    return dict(found[0]["fields"])


def errors(response):
    return re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.text, re.S)


def post(session, url, data, **kwargs):
    """Post as the browser does from the page at ``url`` (the Referer is
    checked by CSRF protection on HTTPS, and harmless here)."""
    response = session.post(url, data=data, headers={"Referer": url}, timeout=30, **kwargs)
    assert response.status_code == 200 and not errors(response), errors(response)
    return response


STAFF = """
import json
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice
from events.models import Category
User = get_user_model()
User.objects.filter(username="cluster-officer").delete()
user = User.objects.create_superuser("cluster-officer", "officer@example.org", {password!r})
device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
print(json.dumps({{"key": device.key, "step": device.step, "t0": device.t0,
                  "digits": device.digits, "category": Category.objects.first().pk}}))
"""
PASSWORD = "Cluster-officer-passphrase-2026"


@pytest.fixture(scope="module")
def staff():
    """A press officer (a superuser with an authenticator) signed in through
    node 1's admin with the password and the current two-step code. The
    session is the cluster's: node 2 knows it too."""
    account = shell(STAFF.format(password=PASSWORD))
    session = requests.Session()
    url = f"{NODE_1}{ADMIN}login/?next={ADMIN}"
    fields = form(session.get(url, timeout=30))
    code = totp(
        bytes.fromhex(account["key"]),
        step=account["step"],
        t0=account["t0"],
        digits=account["digits"],
    )
    fields.update(username="cluster-officer", password=PASSWORD, otp_token=f"{code:06d}")
    response = post(session, url, fields)
    assert response.url == NODE_1 + ADMIN, "the sign-in was refused"
    session.category = account["category"]
    return session


def jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "#0b3a75").save(buffer, "JPEG")
    return buffer.getvalue()


def add_announcement(staff, node, vi, en, photo=False):
    """A draft added through the admin's form at ``node`` (with a photo, a
    multipart upload); its primary key."""
    url = f"{node}{ADMIN}events/announcement/add/"
    fields = form(staff.get(url, timeout=30), "announcement_form")
    fields.update(
        title_vi=vi,
        title_en=en,
        body_vi="<p>Nội dung.</p>",
        body_en="<p>Body.</p>",
        category=str(staff.category),
        _continue="1",
    )
    files = None
    if photo:
        fields.update(image_alt_vi="Ảnh", image_alt_en="Photo")
        files = {"image": ("cluster.jpg", jpeg(), "image/jpeg")}
    response = post(staff, url, fields, files=files)
    return int(re.search(r"/announcement/(\d+)/change/$", response.url).group(1))


def press(staff, node, pk, action, **fields):
    """A publishing button of the item's change page at ``node`` (publish,
    schedule), with the fields its page asks for."""
    change = f"{node}{ADMIN}events/announcement/{pk}/change/"
    url = f"{node}{ADMIN}events/announcement/{pk}/publishing/{action}/"
    assert url.removeprefix(node) in staff.get(change, timeout=30).text  # the button is shown
    data = form(staff.get(url, timeout=30))
    data.update(fields)
    assert post(staff, url, data).url == change


def edit(staff, node, pk, **changes):
    """Save the item's change form at ``node`` with ``changes``."""
    url = f"{node}{ADMIN}events/announcement/{pk}/change/"
    fields = form(staff.get(url, timeout=30), "announcement_form")
    fields.update(changes, _save="1")
    post(staff, url, fields)


def addresses(pk):
    """The item's public addresses in both languages, and its photo's name."""
    return shell(
        "import json; from django.utils import translation; "
        "from events.models import Announcement; "
        f"item = Announcement.objects.get(pk={pk}); urls = {{}}\n"
        "for code in ('vi', 'en'):\n"
        "    with translation.override(code): urls[code] = item.get_absolute_url()\n"
        "print(json.dumps({'pk': item.pk, 'urls': urls, 'image': item.image.name, "
        "'publish_at': item.publish_at.isoformat(), 'status': item.status}))"
    )


def new_item(staff, vi, en, photo=False):
    """An announcement added and published now through node 1's admin."""
    pk = add_announcement(staff, NODE_1, vi, en, photo=photo)
    press(staff, NODE_1, pk, "publish")
    return addresses(pk)


def test_an_upload_is_shown_through_the_second_node_and_the_proxy(staff):
    item = new_item(staff, "Ảnh từ cụm máy", "Photo from the cluster", photo=True)
    assert item["image"], "the upload was not kept"
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
    # Its renditions (<picture>) are linked by their public copies too.
    renditions = set(re.findall(r'(https?://[^"\s,]*/public/renditions/[^"\s,]*)', page.decode()))
    assert renditions and not re.search(r'renditions/[^"\s]*Signature', page.decode())
    for url in renditions:
        status, body, headers = get(url)
        assert status == 200 and body and "max-age" in headers["Cache-Control"]


def test_an_edit_is_seen_through_the_proxy_within_a_second_in_both_languages(staff):
    item = new_item(staff, "Tiêu đề cũ", "Old title")
    for language in ("vi", "en"):
        get(PROXY + item["urls"][language], language)
        assert get(PROXY + item["urls"][language], language)[2]["X-Cache"] == "HIT"
    url = f"{NODE_2}{ADMIN}events/announcement/{item['pk']}/change/"
    fields = form(staff.get(url, timeout=30), "announcement_form")
    fields.update(title_vi="Tiêu đề mới", title_en="New title", _save="1")
    response = staff.post(url, data=fields, headers={"Referer": url}, allow_redirects=False)
    assert response.status_code == 302, errors(response)  # saved
    edited = time.monotonic()

    def seen():
        return "Tiêu đề mới" in get(PROXY + item["urls"]["vi"])[1].decode() and (
            "New title" in get(PROXY + item["urls"]["en"], "en")[1].decode()
        )

    assert wait_for(seen, timeout=5, interval=0.05)
    assert time.monotonic() - edited < 1


def test_a_scheduled_item_goes_public_through_the_proxy_at_its_second_once(staff):
    pk = add_announcement(staff, NODE_1, "Tin hẹn giờ", "Scheduled news")
    at = (datetime.now(HANOI) + timedelta(seconds=12)).replace(microsecond=0)
    # As the admin's calendar and clock write it, in Hanoi time.
    when = {"publish_at_0": at.strftime("%d/%m/%Y"), "publish_at_1": at.strftime("%H:%M:%S")}
    press(staff, NODE_1, pk, "schedule", **when)
    item = addresses(pk)
    assert (item["status"], datetime.fromisoformat(item["publish_at"])) == ("scheduled", at)
    url = PROXY + item["urls"]["vi"]
    assert get(url)[0] == 404
    assert wait_for(lambda: get(url)[0] == 200, timeout=20, interval=0.1)
    assert datetime.now(HANOI) - at < timedelta(seconds=1)
    time.sleep(3)  # a duplicate publication would be recorded by now
    events = shell(
        "import json; from asean_portal.core.publishing import PublicationEvent; "
        # The seed's items of other types have events of their own.
        f"print(json.dumps(PublicationEvent.objects.filter(object_id={pk}, "
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


def test_killing_a_node_under_load_costs_no_request_it_was_not_already_answering():
    """A request that the killed node had not begun to answer goes to the other
    node (`proxy_next_upstream`); one whose answer it was already sending (the
    status line and headers passed on to the client) cannot be taken back by
    any proxy, and ends with the connection cut: each such cut is in nginx's
    log as a connection closed "while reading upstream"."""
    logged = cluster.PROXY_ERROR_LOG.stat().st_size
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
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    connect, read, write, timeout = map(int, socket_errors.groups()) if socket_errors else (0,) * 4
    assert (connect, write, timeout) == (0, 0, 0), output
    with open(cluster.PROXY_ERROR_LOG, "rb") as log:
        log.seek(logged)
        lines = log.read().decode().splitlines()
    cut = [line for line in lines if "while reading upstream" in line]
    # At most one answer in transit per connection, each one logged as cut.
    assert read <= len(cut) <= 4, (output, cut)

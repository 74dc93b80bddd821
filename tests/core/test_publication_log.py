"""The record of what went out: the publication log in the admin, read-only
for every staff member, and an item's history as one timeline."""

from datetime import UTC, datetime

import pytest
import reversion
import time_machine

from asean_portal.core.publishing import PublicationEvent, Status, item_go_live, item_unpublish
from events.models import Announcement
from tests import factories
from tests.core.test_admin import admin_url

LOG = "/{lang}/admin/asean_portal/publicationevent/"
DUE = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)  # 08:00 in Hanoi


@pytest.fixture
def published():
    officer = factories.staff(role="Press officer", first_name="Phóng", last_name="Viên")
    item = factories.announcement(
        title_vi="Tin zzlog", status=Status.SCHEDULED, publish_at=DUE, scheduled_by=officer
    )
    with time_machine.travel(DUE.replace(second=3), tick=False):
        assert item_go_live(model=Announcement, pk=item.pk)
    return item


@pytest.mark.parametrize("role", ["Editor", "Press officer", "Chief editor", "Administrator"])
def test_every_role_reads_the_log_and_none_can_change_it(client, published, role):
    client.force_login(factories.staff(role=role))
    page = client.get(LOG.format(lang="vi"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Tin zzlog" in html
    assert "08:00 21/11/2026" in html  # due, in Hanoi time
    assert published.scheduled_by.get_username() in html  # who scheduled it
    event = PublicationEvent.objects.get()
    assert client.get(LOG.format(lang="vi") + "add/").status_code == 403
    change = client.post(LOG.format(lang="vi") + f"{event.pk}/change/", {"source": "staff"})
    assert change.status_code in (302, 403)
    assert (
        client.post(LOG.format(lang="vi") + f"{event.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    event.refresh_from_db()
    assert event.source == "sweep"
    assert PublicationEvent.objects.count() == 1


def test_the_log_is_searchable_and_filterable(client, published):
    other = factories.announcement(title_vi="Tin khác")
    item_unpublish(item=other, by=factories.staff(superuser=True))
    client.force_login(factories.staff(role="Editor"))
    found = client.get(LOG.format(lang="en"), {"q": "zzlog"}).content.decode()
    assert "Tin zzlog" in found and "Tin khác" not in found
    withdrawn = client.get(LOG.format(lang="en"), {"action__exact": "withdrawn"}).content.decode()
    assert "Tin khác" in withdrawn and "Tin zzlog" not in withdrawn


def test_an_item_s_history_is_one_timeline(client, published):
    client.force_login(factories.staff(superuser=True))
    with reversion.create_revision():
        published.title_vi = "Tin zzlog đã sửa"
        published.save()
        reversion.set_comment("Sửa tiêu đề")
    page = client.get(admin_url("events.announcement", "vi", f"{published.pk}/history/"))
    html = page.content.decode()
    assert "Sửa tiêu đề" in html  # the version
    assert "Đã đăng" in html or "Published" in html  # the transition
    assert html.index("Sửa tiêu đề") < html.index("08:00 21/11/2026")  # newest first


ATTACK = '<script>alert("x")</script>'


@pytest.mark.parametrize(
    "lang, labels",
    [
        (
            "en",
            [
                "Changes discarded",
                "Changes saved as a draft",
                "Changes published",
                "Changes approved, to go live at 08:00 22/11/2026 (Hanoi time)",
                "Changes submitted for review",
                "Changes sent back, with the comment: ",
                "Changes submitted for review",
            ],
        ),
        (
            "vi",
            [
                "Thay đổi đã bị huỷ",
                "Thay đổi được lưu nháp",
                "Đã đăng thay đổi",
                "Thay đổi được duyệt, sẽ đăng lúc 08:00 22/11/2026 (giờ Hà Nội)",
                "Thay đổi được gửi duyệt",
                "Thay đổi bị trả lại, với nhận xét: ",
                "Thay đổi được gửi duyệt",
            ],
        ),
    ],
)
def test_an_item_s_history_shows_its_reviews_beside_its_versions_and_transitions(
    client, published, lang, labels
):
    from datetime import timedelta

    from asean_portal.core import revisions

    editor = factories.staff(role="Editor", first_name="Biên", last_name="Tập")
    chief = factories.staff(role="Chief editor", first_name="Tổng", last_name="Biên")
    hour = timedelta(hours=1)
    published.title_vi, published.title_en = "Tin zzlog đã sửa", "Corrected zzlog"
    revision = revisions.store(
        published, ["title_vi", "title_en"], by=editor, submit=True, now=DUE + hour
    )
    revisions.send_back(revision=revision, by=chief, comment=ATTACK, now=DUE + 2 * hour)
    revisions.submit(revision=revision, by=editor, now=DUE + 3 * hour)
    revisions.schedule(revision=revision, at=DUE + 24 * hour, by=chief, now=DUE + 4 * hour)
    with time_machine.travel(DUE + 24 * hour, tick=False):
        assert revisions.apply_due(source="sweep") == 1
    published.refresh_from_db()
    published.title_vi = "Tin zzlog sửa lần hai"
    second = revisions.store(published, ["title_vi"], by=editor, draft=True, now=DUE + 25 * hour)
    revisions.discard(revision=second, by=editor, now=DUE + 26 * hour)

    client.force_login(factories.staff(superuser=True))
    page = client.get(admin_url("events.announcement", lang, f"{published.pk}/history/"))
    assert page.status_code == 200
    html = page.content.decode()
    # The comment is shown as text, never run.
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert ATTACK not in html
    # Newest first, each with its Hanoi time and who did it.
    positions = []
    start = 0
    for label in labels:
        start = html.index(label, start)
        positions.append(start)
    assert html.index("08:00 21/11/2026", start) > start  # the first publication, last
    rows = html.split("<tr>")[2:]
    assert "09:00 21/11/2026" in rows[-2] and "Biên Tập" in rows[-2]  # submitted
    assert "10:00 21/11/2026" in rows[-3] and "Tổng Biên" in rows[-3]  # sent back


@pytest.mark.parametrize(
    "reason, english, vietnamese",
    [
        (
            "withdrawn",
            "Changes returned to review: the item was withdrawn",
            "Thay đổi được trả về hàng chờ duyệt: mục này đã bị gỡ",
        ),
        (
            "conflict",
            "Changes returned to review: in conflict with another item",
            "Thay đổi được trả về hàng chờ duyệt: xung đột với một mục khác",
        ),
    ],
)
def test_changes_the_sweep_returns_to_review_say_why_in_the_history(
    client, published, reason, english, vietnamese
):
    from datetime import timedelta

    from asean_portal.core import revisions
    from asean_portal.core.revision_log import RevisionEvent

    chief = factories.staff(role="Chief editor")
    hour = timedelta(hours=1)
    published.title_vi, published.title_en = "Tin zzlog đã sửa", "Corrected zzlog"
    names = ["title_vi", "title_en"]
    if reason == "conflict":
        factories.announcement(slug_vi="dia-chi-da-co")
        published.slug_vi = "dia-chi-da-co"
        names.append("slug_vi")
    revision = revisions.store(published, names, by=factories.staff(role="Editor"), now=DUE)
    revisions.schedule(revision=revision, at=DUE + 24 * hour, by=chief, now=DUE + hour)
    if reason == "withdrawn":
        item_unpublish(item=published, by=chief, reason_vi="Sai", now=DUE + 2 * hour)
    with time_machine.travel(DUE + 24 * hour, tick=False):
        assert revisions.apply_due(source="sweep") == 0
    revision.refresh_from_db()
    assert revision.state == revisions.RevisionState.IN_REVIEW
    event = RevisionEvent.objects.filter(revision=revision).last()
    assert (event.action, event.at, event.by) == (reason, DUE + 24 * hour, None)
    client.force_login(factories.staff(superuser=True))
    for lang, text in (("en", english), ("vi", vietnamese)):
        html = client.get(admin_url("events.announcement", lang, f"{published.pk}/history/"))
        assert text in html.content.decode()

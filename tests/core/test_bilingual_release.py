"""Bilingual release: every path that makes an item public (publish now, a
schedule reaching its time, bulk actions) applies one rule. When the English
is missing or outdated, the publisher chooses to hold the item or to publish
it in Vietnamese with an "English coming" notice; nothing goes public without
English otherwise. Held items wait on the agenda until a publisher releases
them."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asean_portal.core import revisions
from asean_portal.core.content import EnglishState
from asean_portal.core.publishing import (
    PublicationEvent,
    Status,
    english_release,
    item_publish_now,
    item_schedule,
    publish_due,
)
from asean_portal.core.publishing_admin import state_text
from asean_portal.core.revisions import RevisionState
from events.models import Announcement
from tests import factories
from tests.core.test_revisions import as_seen

CHANGE = "/{lang}/admin/events/announcement/{pk}/change/"
PUBLISHING = "/{lang}/admin/events/announcement/{pk}/publishing/{action}/"
CHANGELIST = "/{lang}/admin/events/announcement/"
AGENDA = {"vi": "/vi/nhan-vien/lich-dang/", "en": "/en/staff/agenda/"}


def future(hours=3):
    return timezone.localtime(timezone.now() + timedelta(hours=hours)).replace(
        second=0, microsecond=0
    )


def split(moment, name="publish_at"):
    local = timezone.localtime(moment)
    return {f"{name}_0": local.strftime("%d/%m/%Y"), f"{name}_1": local.strftime("%H:%M:%S")}


def draft(english="complete", **fields):
    """A draft whose English is complete, missing or outdated."""
    item = factories.announcement(status=Status.DRAFT, publish_at=None, **fields)
    if english == "missing":
        item.title_en = item.lead_en = item.body_en = ""
        item.save()
    elif english == "outdated":
        item.lead_vi = "Tóm tắt đã sửa sau khi dịch."
        item.save()
    item.refresh_from_db()
    assert item.english_state == english
    return item


@pytest.fixture
def officer(client):
    user = factories.staff(role="Press officer")
    client.force_login(user)
    return user


def public(item):
    return Announcement.objects.live().filter(pk=item.pk).exists()


# --- the rule in the core ---------------------------------------------------------


@pytest.mark.parametrize("english", ["missing", "outdated"])
def test_the_rule_needs_a_choice_when_the_english_is_missing_or_outdated(english):
    item = draft(english)
    with pytest.raises(ValidationError) as error:
        english_release(item=item, english=None)
    assert error.value.error_dict["english"][0].code == "english_missing"
    assert english_release(item=item, english="hold") is False
    assert english_release(item=item, english="notice") is True
    assert item.english_notice is True


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    english=st.sampled_from(["complete", "missing", "outdated"]),
    choice=st.one_of(st.none(), st.sampled_from(["hold", "notice"]), st.text(max_size=8)),
    path=st.sampled_from(["publish now", "schedule"]),
)
def test_nothing_goes_public_without_english_unless_the_notice_was_chosen(english, choice, path):
    chief = factories.staff(role="Chief editor")
    item = draft(english)
    at = future()
    try:
        if path == "publish now":
            item_publish_now(item=item, by=chief, english=choice)
        else:
            item_schedule(item=item, at=at, by=chief, english=choice)
    except ValidationError as error:
        assert english != "complete" and choice not in ("hold", "notice")
        assert "english" in error.message_dict
    item.refresh_from_db()
    with time_machine.travel(at + timedelta(seconds=1), tick=False):
        publish_due()
        went_public = public(item)
    if english == "complete":
        assert went_public and not item.english_notice
    else:
        assert went_public == (choice == "notice")
        assert item.english_notice == (choice == "notice")
        assert item.is_held() == (choice == "hold")


def test_the_rule_asks_nothing_when_the_english_is_complete():
    item = draft("complete")
    assert english_release(item=item, english=None) is True
    assert item.english_notice is False


@pytest.mark.parametrize("english", ["missing", "outdated"])
def test_publish_now_without_english_needs_a_choice(english):
    chief = factories.staff(role="Chief editor")
    item = draft(english)
    with pytest.raises(ValidationError):
        item_publish_now(item=item, by=chief)
    item.refresh_from_db()
    assert item.status == Status.DRAFT and not public(item)
    assert not PublicationEvent.objects.exists()


def test_publish_now_hold_keeps_a_held_draft_whose_time_has_passed():
    chief = factories.staff(role="Chief editor")
    item = draft("missing")
    now = timezone.now()
    item_publish_now(item=item, by=chief, english="hold", now=now)
    item.refresh_from_db()
    assert (item.status, item.publish_at, item.scheduled_by) == (Status.DRAFT, now, chief)
    assert Announcement.objects.held().filter(pk=item.pk).exists()
    assert not public(item)
    assert not PublicationEvent.objects.exists()


def test_publish_now_with_notice_publishes_with_the_notice(client):
    chief = factories.staff(role="Chief editor")
    item = draft("missing")
    item_publish_now(item=item, by=chief, english="notice")
    item.refresh_from_db()
    assert (item.status, item.english_notice) == (Status.PUBLISHED, True)
    assert public(item)
    page = client.get(f"/en/news/{item.slug_vi}/", follow=True).content.decode()
    assert "English coming" in page


def test_scheduling_an_item_with_outdated_english_needs_a_choice():
    chief = factories.staff(role="Chief editor")
    item = draft("outdated")
    with pytest.raises(ValidationError):
        item_schedule(item=item, at=future(), by=chief)
    assert item_schedule(item=item, at=future(), by=chief, english="hold") is False
    item.refresh_from_db()
    assert item.status == Status.DRAFT and item.scheduled_by == chief


# --- the sweep honours the choice made when scheduling ---------------------------------


@pytest.mark.parametrize("english", ["missing", "outdated"])
def test_the_sweep_holds_or_publishes_with_notice_as_chosen(english):
    chief = factories.staff(role="Chief editor")
    at = future(2)
    held, noticed = draft(english), draft(english)
    item_schedule(item=held, at=at, by=chief, english="hold")
    item_schedule(item=noticed, at=at, by=chief, english="notice")
    with time_machine.travel(at + timedelta(seconds=1), tick=False):
        publish_due()
        held.refresh_from_db()
        noticed.refresh_from_db()
        assert held.status == Status.DRAFT and not public(held)
        assert (noticed.status, noticed.english_notice) == (Status.PUBLISHED, True)
        assert public(noticed)
        assert list(Announcement.objects.held().values_list("pk", flat=True)) == [held.pk]
        with translation.override("en"):
            assert "has passed" in state_text(held)
    events = PublicationEvent.objects.values_list("object_id", "source")
    assert list(events) == [(noticed.pk, "sweep")]


def test_a_scheduled_item_whose_english_falls_behind_is_held():
    """Scheduled with complete English, then the Vietnamese changes: no one
    chose to publish it without English, so it is held, not published."""
    chief = factories.staff(role="Chief editor")
    item = draft("complete")
    at = future(2)
    assert item_schedule(item=item, at=at, by=chief) is True
    item.lead_vi = "Tóm tắt viết lại."
    item.save()
    item.refresh_from_db()
    assert item.english_state == EnglishState.OUTDATED
    assert (item.status, item.publish_at) == (Status.DRAFT, at)
    with time_machine.travel(at + timedelta(seconds=1), tick=False):
        publish_due()
        assert not public(item)


def test_a_scheduled_item_with_the_notice_stays_scheduled_when_edited():
    chief = factories.staff(role="Chief editor")
    item = draft("missing")
    at = future(2)
    item_schedule(item=item, at=at, by=chief, english="notice")
    item.lead_vi = "Tóm tắt viết lại."
    item.save()
    item.refresh_from_db()
    assert item.status == Status.SCHEDULED


# --- the Publish now button -------------------------------------------------------------


@pytest.mark.parametrize(
    "lang, question, required",
    [
        ("en", "Hold it until the English is ready", "This field is required"),
        ("vi", "Giữ lại cho đến khi có bản tiếng Anh", "Trường này là bắt buộc"),
    ],
)
def test_the_publish_now_button_asks_in_the_users_language(
    client, officer, lang, question, required
):
    item = draft("missing")
    url = PUBLISHING.format(lang=lang, pk=item.pk, action="publish")
    assert question in client.get(url).content.decode()
    response = client.post(url, {})
    assert response.status_code == 200
    assert required in response.content.decode()
    item.refresh_from_db()
    assert item.status == Status.DRAFT and not public(item)


def test_the_publish_now_button_holds_or_publishes_with_notice(
    client, officer, django_capture_on_commit_callbacks
):
    held, noticed = draft("outdated"), draft("outdated")
    response = client.post(
        PUBLISHING.format(lang="en", pk=held.pk, action="publish"), {"english": "hold"}
    )
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            PUBLISHING.format(lang="en", pk=noticed.pk, action="publish"), {"english": "notice"}
        )
    held.refresh_from_db()
    noticed.refresh_from_db()
    assert held.status == Status.DRAFT and not public(held)
    assert (noticed.status, noticed.english_notice) == (Status.PUBLISHED, True)


def test_the_publish_now_button_asks_nothing_when_the_english_is_complete(client, officer):
    item = draft("complete")
    url = PUBLISHING.format(lang="en", pk=item.pk, action="publish")
    assert 'name="english"' not in client.get(url).content.decode()
    assert client.post(url, {}).status_code == 302
    assert public(item)


# --- bulk actions ---------------------------------------------------------------------


def test_bulk_publish_lists_the_items_without_english_and_asks(client, officer):
    ready, missing, outdated = draft("complete"), draft("missing"), draft("outdated")
    ids = [str(item.pk) for item in (ready, missing, outdated)]
    page = client.post(
        CHANGELIST.format(lang="en"), {"action": "publish_selected_now", "_selected_action": ids}
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "Hold it until the English is ready" in text
    with translation.override("en"):
        assert str(missing) in text and str(outdated) in text
    assert "EN missing" in text and "EN outdated" in text
    assert "Cancel" in text
    # Nothing happened yet.
    for item in (ready, missing, outdated):
        assert not public(item)


def test_bulk_publish_asks_in_vietnamese_too(client, officer):
    item = draft("missing")
    page = client.post(
        CHANGELIST.format(lang="vi"),
        {"action": "publish_selected_now", "_selected_action": [str(item.pk)]},
    ).content.decode()
    assert "Giữ lại cho đến khi có bản tiếng Anh" in page


def test_bulk_publish_without_a_choice_publishes_nothing(client, officer):
    ready, missing = draft("complete"), draft("missing")
    ids = [str(ready.pk), str(missing.pk)]
    response = client.post(
        CHANGELIST.format(lang="en"),
        {"action": "publish_selected_now", "_selected_action": ids, "apply": "1"},
    )
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not public(ready) and not public(missing)


def test_bulk_publish_hold(client, officer, django_capture_on_commit_callbacks):
    ready, missing, outdated = draft("complete"), draft("missing"), draft("outdated")
    ids = [str(item.pk) for item in (ready, missing, outdated)]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            CHANGELIST.format(lang="en"),
            {
                "action": "publish_selected_now",
                "_selected_action": ids,
                "apply": "1",
                "english": "hold",
            },
            follow=True,
        )
    text = response.content.decode()
    assert "1 item published." in text
    assert "2 items held until their English is ready." in text
    assert public(ready)
    assert not public(missing) and not public(outdated)
    assert set(Announcement.objects.held().values_list("pk", flat=True)) == {
        missing.pk,
        outdated.pk,
    }


def test_bulk_publish_with_notice(client, officer, django_capture_on_commit_callbacks):
    ready, missing = draft("complete"), draft("missing")
    ids = [str(ready.pk), str(missing.pk)]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            CHANGELIST.format(lang="en"),
            {
                "action": "publish_selected_now",
                "_selected_action": ids,
                "apply": "1",
                "english": "notice",
            },
        )
    assert public(ready) and public(missing)
    assert Announcement.objects.get(pk=missing.pk).english_notice is True
    assert Announcement.objects.get(pk=ready.pk).english_notice is False


def test_bulk_publish_of_complete_items_asks_nothing(client, officer):
    items = [draft("complete") for _ in range(2)]
    client.post(
        CHANGELIST.format(lang="en"),
        {"action": "publish_selected_now", "_selected_action": [str(i.pk) for i in items]},
    )
    assert all(public(item) for item in items)


def test_bulk_schedule_lists_the_items_without_english(client, officer):
    ready, outdated = draft("complete"), draft("outdated")
    ids = [str(ready.pk), str(outdated.pk)]
    page = client.post(
        CHANGELIST.format(lang="en"), {"action": "schedule_selected", "_selected_action": ids}
    ).content.decode()
    assert "Hold it until the English is ready" in page
    assert "EN outdated" in page
    at = future(5)
    client.post(
        CHANGELIST.format(lang="en"),
        {
            "action": "schedule_selected",
            "_selected_action": ids,
            "apply": "1",
            "english": "hold",
            **split(at),
        },
    )
    ready.refresh_from_db()
    outdated.refresh_from_db()
    assert (ready.status, outdated.status) == (Status.SCHEDULED, Status.DRAFT)
    assert outdated.publish_at == at


# --- forged requests ----------------------------------------------------------------


@pytest.mark.parametrize("action", ["publish_selected_now", "schedule_selected"])
def test_a_forged_bulk_notice_by_an_editor_publishes_nothing(client, action):
    client.force_login(factories.staff(role="Editor"))
    item = draft("missing")
    response = client.post(
        CHANGELIST.format(lang="en"),
        {
            "action": action,
            "_selected_action": [str(item.pk)],
            "apply": "1",
            "english": "notice",
            **split(future()),
        },
    )
    assert response.status_code in (200, 302, 403)
    item.refresh_from_db()
    assert item.status == Status.DRAFT and not item.english_notice
    assert not PublicationEvent.objects.exists()


@pytest.mark.parametrize("action", ["publish", "schedule"])
def test_a_forged_notice_on_the_button_by_an_editor_is_refused(client, action):
    client.force_login(factories.staff(role="Editor"))
    item = draft("missing")
    response = client.post(
        PUBLISHING.format(lang="en", pk=item.pk, action=action),
        {"english": "notice", **split(future())},
    )
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.status == Status.DRAFT and not item.english_notice


def test_a_press_officer_cannot_release_a_meeting_with_notice(client, officer):
    meeting = factories.meeting(status=Status.DRAFT, publish_at=None, title_en="")
    response = client.post(
        f"/en/admin/events/meeting/{meeting.pk}/publishing/publish/", {"english": "notice"}
    )
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        item_publish_now(item=meeting, by=officer, english="notice")
    meeting.refresh_from_db()
    assert meeting.status == Status.DRAFT


def test_an_unknown_choice_is_a_form_error(client, officer):
    item = draft("missing")
    response = client.post(
        PUBLISHING.format(lang="en", pk=item.pk, action="publish"), {"english": "publish"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    item.refresh_from_db()
    assert item.status == Status.DRAFT


# --- the agenda and the change page ------------------------------------------------------


@pytest.mark.parametrize(
    "lang, heading, passed",
    [
        ("en", "Held: waiting for English", "Its time has passed"),
        ("vi", "Đang giữ: chờ bản tiếng Anh", "Đã qua thời điểm đăng"),
    ],
)
def test_the_agenda_lists_held_items_and_says_when_their_time_has_passed(
    client, officer, lang, heading, passed
):
    soon, late = draft("missing"), draft("outdated")
    item_schedule(item=soon, at=future(30 * 24), by=officer, english="hold")
    item_publish_now(item=late, by=officer, english="hold")
    scheduled = factories.announcement(status=Status.SCHEDULED, publish_at=future(5))
    page = client.get(AGENDA[lang]).content.decode()
    assert heading in page
    held_section = page.split(heading, 1)[1]
    assert soon.title_vi in held_section and late.title_vi in held_section
    assert held_section.count(passed) == 1
    assert scheduled.title_vi in page.split(heading, 1)[0]


def test_the_change_page_of_a_held_item_says_its_time_has_passed(client, officer):
    item = draft("missing")
    item_publish_now(item=item, by=officer, english="hold")
    page = client.get(CHANGE.format(lang="en", pk=item.pk)).content.decode()
    assert "Held until the English is ready" in page
    assert "Its time has passed" in page
    page = client.get(CHANGE.format(lang="vi", pk=item.pk)).content.decode()
    assert "Đã qua thời điểm đăng" in page


def test_releasing_a_held_item_once_the_english_is_ready(client, officer):
    item = draft("missing")
    item_publish_now(item=item, by=officer, english="hold")
    item.title_en, item.lead_en, item.body_en = "News", "Lead", "<p>Body</p>"
    item.save()
    response = client.post(PUBLISHING.format(lang="en", pk=item.pk, action="publish"), {})
    assert response.status_code == 302
    assert public(item)
    assert not Announcement.objects.held().exists()
    assert "Held" not in client.get(AGENDA["en"]).content.decode().split("<h1", 1)[1]


def test_the_staff_json_lists_held_items(client, officer):
    item = draft("missing")
    item_publish_now(item=item, by=officer, english="hold")
    body = client.get("/staff/publishing.json").json()
    assert [(row["id"], row["time_passed"]) for row in body["held"]] == [(item.pk, True)]


def test_the_staff_json_lists_held_changes_beside_held_items(client, officer):
    item = draft("missing")
    item_publish_now(item=item, by=officer, english="hold")
    now_held, now_revision = live_with_changes("outdated")
    revisions.publish_now(revision=now_revision, by=officer, english="hold")
    later_held, later_revision = live_with_changes("missing")
    at = future()
    revisions.schedule(revision=later_revision, at=at, by=officer, english="hold")
    body = client.get("/staff/publishing.json").json()
    rows = [
        (row["id"], row["changes"], row.get("revision"), row["time_passed"]) for row in body["held"]
    ]
    assert sorted(rows[:2]) == sorted(
        [(item.pk, False, None, True), (now_held.pk, True, now_revision.pk, True)]
    )
    assert rows[2:] == [(later_held.pk, True, later_revision.pk, False)]
    assert datetime.fromisoformat(body["held"][2]["due_at"]) == at
    assert {row["type"] for row in body["held"]} == {"events.announcement"}
    # Released, they leave the list.
    revisions.discard(revision=later_revision, by=officer)
    body = client.get("/staff/publishing.json").json()
    assert later_held.pk not in [row["id"] for row in body["held"]]


def test_outdated_english_published_with_the_notice_says_so(client):
    chief = factories.staff(role="Chief editor")
    item = draft("outdated")
    item_publish_now(item=item, by=chief, english="notice")
    page = client.get(f"/en/news/{item.slug_en}/").content.decode()
    assert "English coming" in page
    assert "being brought up to date with the Vietnamese" in page


# --- pending changes of a live item ------------------------------------------------------

REVISION = "/{lang}/admin/events/announcement/{pk}/revision/{action}/"


def live_with_changes(english="outdated"):
    """A live item whose English is complete, and pending changes that leave
    it outdated (the Vietnamese changed alone) or missing (the English
    removed)."""
    item = factories.announcement(title_vi="Tin đã duyệt", title_en="Approved news")
    assert item.english_state == "complete" and not item.english_notice
    if english == "outdated":
        item.title_vi = "Tin đã sửa, chưa dịch"
    elif english == "missing":
        item.title_en = ""
    else:
        item.title_vi, item.title_en = "Tin đã sửa", "Corrected news"
    revision = revisions.store(item, ["title_vi", "title_en"], by=factories.staff(role="Editor"))
    item.refresh_from_db()
    return item, revision


@pytest.mark.parametrize("english", ["outdated", "missing"])
def test_publishing_changes_that_leave_the_english_behind_needs_a_choice(english):
    item, revision = live_with_changes(english)
    chief = factories.staff(role="Chief editor")
    assert revisions.english_lacking_after(revision)
    with pytest.raises(ValidationError) as refused:
        revisions.publish_now(revision=revision, by=chief)
    assert "english" in refused.value.message_dict
    with pytest.raises(ValidationError):
        revisions.schedule(revision=revision, at=future(), by=chief)
    item.refresh_from_db()
    assert item.title_vi == "Tin đã duyệt" and item.title_en == "Approved news"
    revision.refresh_from_db()
    assert revision.state == RevisionState.DRAFT and revision.publish_at is None


def test_changes_with_their_english_ask_nothing():
    item, revision = live_with_changes("complete")
    assert not revisions.english_lacking_after(revision)
    revisions.publish_now(revision=revision, by=factories.staff(role="Chief editor"))
    item.refresh_from_db()
    assert (item.title_en, item.english_state, item.english_notice) == (
        "Corrected news",
        "complete",
        False,
    )


def test_changes_published_now_with_the_notice_say_so_in_english(client):
    item, revision = live_with_changes("outdated")
    revisions.publish_now(
        revision=revision, by=factories.staff(role="Chief editor"), english="notice"
    )
    item.refresh_from_db()
    assert item.title_vi == "Tin đã sửa, chưa dịch"
    assert item.english_state == "outdated" and item.english_notice
    page = client.get(f"/en/news/{item.slug_en}/").content.decode()
    assert "English coming" in page


def test_changes_held_wait_on_the_agenda_and_the_public_keeps_the_live_version(client, officer):
    item, revision = live_with_changes("outdated")
    revisions.publish_now(revision=revision, by=officer, english="hold")
    item.refresh_from_db()
    assert item.title_vi == "Tin đã duyệt" and not item.english_notice
    revision.refresh_from_db()
    assert revision.state in revisions.OPEN_STATES and revision.is_held()
    assert not PublicationEvent.objects.exists()
    for lang, heading in (
        ("en", "Held: waiting for English"),
        ("vi", "Đang giữ: chờ bản tiếng Anh"),
    ):
        agenda = client.get(AGENDA[lang]).content.decode()
        held = agenda.split(heading, 1)[1]
        assert "Tin đã duyệt" in held
    # Held changes are not applied by the sweep.
    publish_due(now=timezone.now() + timedelta(days=1))
    item.refresh_from_db()
    assert item.title_vi == "Tin đã duyệt"
    # The English is brought up to date: a publisher releases them.
    revision.fields = {**revision.fields, "title_en": "Corrected, translated"}
    revision.save()
    revisions.publish_now(revision=revision, by=factories.staff(role="Chief editor"))
    item.refresh_from_db()
    assert (item.title_vi, item.title_en, item.english_state) == (
        "Tin đã sửa, chưa dịch",
        "Corrected, translated",
        "complete",
    )
    assert "Tin đã duyệt" not in client.get(AGENDA["en"]).content.decode()


@pytest.mark.parametrize("english", ["hold", "notice"])
def test_scheduled_changes_go_live_as_chosen_when_scheduled(english):
    item, revision = live_with_changes("outdated")
    at = future()
    scheduled = revisions.schedule(
        revision=revision, at=at, by=factories.staff(role="Chief editor"), english=english
    )
    revision.refresh_from_db()
    assert scheduled.state == revision.state
    if english == "hold":
        assert revision.state != RevisionState.SCHEDULED and revision.is_held()
        assert revision.publish_at == at
    else:
        assert revision.state == RevisionState.SCHEDULED
    with time_machine.travel(at, tick=False):
        revisions.apply_due()  # a request at that second, or the sweep
        publish_due()
    item.refresh_from_db()
    if english == "hold":
        assert item.title_vi == "Tin đã duyệt" and not item.english_notice
    else:
        assert item.title_vi == "Tin đã sửa, chưa dịch" and item.english_notice
        assert PublicationEvent.objects.get().action == "revised"


@pytest.mark.parametrize("action", ["publish", "schedule"])
def test_the_revision_buttons_ask_in_the_users_language_and_honour_the_choice(
    client, officer, action
):
    item, revision = live_with_changes("outdated")
    url = REVISION.format(lang="vi", pk=item.pk, action=action)
    page = client.get(url).content.decode()
    assert 'name="english"' in page and "“Sắp có bản tiếng Anh”" in page
    data = as_seen(item, {"confirm": "1", **split(future())})
    response = client.post(url, data)
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.title_vi == "Tin đã duyệt"
    response = client.post(url, {**data, "english": "notice"})
    assert response.status_code == 302
    revision.refresh_from_db()
    if action == "publish":
        item.refresh_from_db()
        assert item.title_vi == "Tin đã sửa, chưa dịch" and item.english_notice
    else:
        assert revision.state == RevisionState.SCHEDULED


@pytest.mark.parametrize("action", ["publish", "schedule"])
def test_a_forged_notice_on_the_revision_buttons_by_an_editor_is_refused(client, action):
    item, revision = live_with_changes("outdated")
    client.force_login(factories.staff(role="Editor"))
    response = client.post(
        REVISION.format(lang="en", pk=item.pk, action=action),
        as_seen(item, {"confirm": "1", "english": "notice", **split(future())}),
    )
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.title_vi == "Tin đã duyệt" and not item.english_notice
    revision.refresh_from_db()
    assert revision.state == RevisionState.DRAFT and revision.publish_at is None


@pytest.mark.parametrize(
    "lang, held_text, notice_text",
    [
        ("en", "Held until the English is ready", "“English coming” notice"),
        ("vi", "Đang giữ lại chờ bản tiếng Anh", "thông báo “Sắp có bản tiếng Anh”"),
    ],
)
def test_the_change_page_says_the_changes_are_held_or_go_live_with_the_notice(
    client, officer, lang, held_text, notice_text
):
    item, revision = live_with_changes("outdated")
    at = future()
    revisions.schedule(revision=revision, at=at, by=officer, english="hold")
    page = client.get(CHANGE.format(lang=lang, pk=item.pk)).content.decode()
    assert held_text in page
    assert timezone.localtime(at).strftime("%H:%M %d/%m/%Y") in page
    revisions.schedule(revision=revision, at=at, by=officer, english="notice")
    page = client.get(CHANGE.format(lang=lang, pk=item.pk)).content.decode()
    assert held_text not in page
    notice_row = page.split('data-field="english_notice"', 1)[1].split("</tr>", 1)[0]
    assert notice_text.lower() in notice_row.lower()
    assert ("Yes" if lang == "en" else "Có") in notice_row
    assert "True" not in notice_row


def test_changes_held_at_publish_now_say_on_their_page_that_their_time_has_passed(client, officer):
    item, revision = live_with_changes("outdated")
    revisions.publish_now(revision=revision, by=officer, english="hold")
    page = client.get(CHANGE.format(lang="vi", pk=item.pk)).content.decode()
    assert "Đang giữ lại chờ bản tiếng Anh" in page and "Đã qua thời điểm đăng" in page
    page = client.get(CHANGE.format(lang="en", pk=item.pk)).content.decode()
    assert "Its time has passed" in page

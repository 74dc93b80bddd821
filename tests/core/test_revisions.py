"""Pending revisions of live items: an edit that waits for a publisher while
the public keeps the approved version, its publication now or by the sweep
(once, with one event), its review, and the refusals."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone, translation

from asean_portal.core import revisions
from asean_portal.core.publishing import PublicationEvent, Status, item_unpublish, publish_due
from asean_portal.core.revisions import PendingRevision, RevisionState
from tests import factories
from tests.core.test_admin import admin_url, announcement_form, errors

pytestmark = pytest.mark.django_db

CHANGE = "events.announcement"


def as_seen(item, data):
    """A decision's form as its page sends it: with the changes it showed."""
    return {**data, "seen": revisions.seen_token(revisions.open_revision(item))}


ATTACK = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def public_title(item, language="vi"):
    with translation.override(language):
        path = item.get_absolute_url()
    response = Client().get(path)
    assert response.status_code == 200
    return response.content.decode()


def edit(client, item, button=None, **overrides):
    current = {
        name: getattr(item, name)
        for name in ("title_vi", "title_en", "slug_vi", "slug_en", "lead_vi", "lead_en")
    }
    current.update(body_vi=item.body_vi, body_en=item.body_en)
    data = announcement_form(item.category, **{**current, **overrides})
    if button:
        data[button] = "1"
    return client.post(admin_url(CHANGE, suffix=f"{item.pk}/change/"), data)


def signed_in(client, role):
    user = factories.staff(role=role, email=f"{role.replace(' ', '')}@example.org")
    client.force_login(user)
    return user


def pending(client, role="Editor", **overrides):
    """A live item and a pending change of its title, in both languages
    (saved as a draft)."""
    item = factories.announcement(title_vi="Bản đã duyệt", title_en="Approved version")
    author = signed_in(client, role)
    changes = {"title_vi": "Bản sửa chờ duyệt", "title_en": "Pending correction", **overrides}
    response = edit(client, item, "_save_as_draft", **changes)
    assert response.status_code == 302, errors(response)
    return item, author, revisions.open_revision(item)


@pytest.mark.parametrize(
    "role, button, expected",
    [
        ("Editor", None, "pending"),
        ("Editor", "_save_as_draft", "pending"),
        ("Editor", "_submit_for_review", "in_review"),
        ("Press officer", "_save_as_draft", "pending"),
        ("Press officer", "_submit_for_review", "in_review"),
        ("Press officer", None, "live"),
        ("Chief editor", "_save_as_draft", "pending"),
        ("Chief editor", None, "live"),
        ("Administrator", None, "refused"),
    ],
)
def test_a_save_of_a_live_item_as_each_role(client, role, button, expected):
    item = factories.announcement(title_vi="Bản đã duyệt")
    signed_in(client, role)
    response = edit(client, item, button, title_vi="Bản sửa")
    item.refresh_from_db()
    page = public_title(item)
    if expected == "refused":
        assert response.status_code == 403
    else:
        assert response.status_code == 302, errors(response)
    if expected == "live":
        assert "Bản sửa" in page
        assert revisions.open_revision(item) is None
        return
    assert "Bản đã duyệt" in page and "Bản sửa" not in page
    assert item.title_vi == "Bản đã duyệt" and item.status == Status.PUBLISHED
    revision = revisions.open_revision(item)
    if expected == "refused":
        assert revision is None
        return
    assert revision.fields["title_vi"] == "Bản sửa"
    assert revision.state == (
        RevisionState.IN_REVIEW if expected == "in_review" else RevisionState.DRAFT
    )


def test_the_change_form_shows_the_pending_version_and_its_diff(client):
    item, _author, revision = pending(client)
    html = client.get(admin_url(CHANGE, suffix=f"{item.pk}/change/")).content.decode()
    assert 'name="_save_as_draft"' in html and 'name="_submit_for_review"' in html
    assert 'value="Bản sửa chờ duyệt"' in html
    assert "revision-diff" in html
    assert "<del>" in html and "<ins>" in html
    # Only what differs: an empty text where there was none is no change.
    assert html.count("<tr data-field=") == 2
    # Saving again updates the same revision.
    response = edit(client, item, title_vi="Bản sửa lần hai")
    assert response.status_code == 302, errors(response)
    assert PendingRevision.objects.get().fields["title_vi"] == "Bản sửa lần hai"


def test_staff_preview_the_pending_version_at_the_public_address(client):
    item, _author, _revision = pending(client)
    html = client.get(item.get_absolute_url()).content.decode()
    assert "Bản sửa chờ duyệt" in html and "notice-pending" in html
    anonymous = public_title(item)
    assert "Bản đã duyệt" in anonymous and "notice-pending" not in anonymous


def test_publish_now_applies_the_revision_with_one_event_and_its_change_note(client):
    item, _author, revision = pending(client, change_note_vi="Sửa tên hội nghị")
    officer = factories.staff(role="Chief editor")
    before = timezone.now()
    revisions.publish_now(revision=revision, by=officer)
    item.refresh_from_db()
    assert item.title_vi == "Bản sửa chờ duyệt"
    assert item.status == Status.PUBLISHED
    assert item.revised_at >= before
    page = public_title(item)
    assert "Bản sửa chờ duyệt" in page and "Sửa tên hội nghị" in page
    event = PublicationEvent.objects.get(object_id=item.pk)
    assert event.action == PublicationEvent.Action.REVISED and event.acted_by == officer
    revision.refresh_from_db()
    assert revision.state == RevisionState.PUBLISHED
    with pytest.raises(revisions.ValidationError):
        revisions.publish_now(revision=revision, by=officer)


def test_discard_keeps_the_live_version(client):
    item, author, revision = pending(client)
    revisions.discard(revision=revision, by=author)
    item.refresh_from_db()
    assert item.title_vi == "Bản đã duyệt"
    assert revisions.open_revision(item) is None


def test_a_scheduled_revision_goes_live_by_the_sweep_once(client):
    item, _author, revision = pending(client)
    officer = factories.staff(role="Chief editor")
    due = timezone.now() + timedelta(minutes=1)
    revisions.schedule(revision=revision, at=due, by=officer)
    with time_machine.travel(due - timedelta(seconds=1), tick=False):
        publish_due()
        assert "Bản đã duyệt" in public_title(item)
    with time_machine.travel(due + timedelta(milliseconds=300), tick=False):
        assert ("asean_portal.pendingrevision", revision.pk, "revise", True) in publish_due()
        publish_due()
        page = public_title(item)
    assert "Bản sửa chờ duyệt" in page
    event = PublicationEvent.objects.get(object_id=item.pk)
    assert event.action == "revised" and event.due_at == due and event.scheduled_by == officer
    assert event.lateness_ms == 300
    item.refresh_from_db()
    assert item.revised_at == due


def test_a_revision_of_an_item_withdrawn_meanwhile_is_refused(client):
    item, _author, revision = pending(client)
    officer = factories.staff(role="Chief editor")
    item_unpublish(item=item, by=officer, reason_vi="Sai")
    with pytest.raises(revisions.ValidationError) as refused:
        revisions.publish_now(revision=revision, by=officer)
    assert refused.value.code == "not_public"
    response = client.post(
        admin_url(CHANGE, suffix=f"{item.pk}/revision/publish/"), as_seen(item, {"confirm": "1"})
    )
    # The Editor may not publish: refused on the page, not a server error.
    assert response.status_code == 200
    assert "không có quyền" in response.content.decode()
    client.force_login(officer)
    response = client.post(
        admin_url(CHANGE, suffix=f"{item.pk}/revision/publish/"), as_seen(item, {"confirm": "1"})
    )
    assert response.status_code == 200
    assert "không còn" in response.content.decode()
    revision.refresh_from_db()
    assert revision.state == RevisionState.DRAFT


def test_the_sweep_leaves_a_withdrawn_item_alone_and_returns_its_revision_to_review(client):
    item, _author, revision = pending(client)
    officer = factories.staff(role="Chief editor")
    due = timezone.now() + timedelta(minutes=1)
    revisions.schedule(revision=revision, at=due, by=officer)
    item_unpublish(item=item, by=officer, reason_vi="Sai")
    with time_machine.travel(due + timedelta(seconds=1), tick=False):
        publish_due()
    item.refresh_from_db()
    assert item.title_vi == "Bản đã duyệt" and item.status == Status.ARCHIVED
    revision.refresh_from_db()
    assert revision.state == RevisionState.IN_REVIEW and revision.publish_at is None
    assert not PublicationEvent.objects.filter(action="revised").exists()


def test_scheduling_in_the_past_is_refused_in_the_officers_language(client):
    item, _author, revision = pending(client)
    officer = signed_in(client, "Chief editor")
    past = timezone.localtime() - timedelta(minutes=5)
    response = client.post(
        admin_url(CHANGE, suffix=f"{item.pk}/revision/schedule/"),
        as_seen(
            item,
            {"publish_at_0": past.strftime("%d/%m/%Y"), "publish_at_1": past.strftime("%H:%M:%S")},
        ),
    )
    assert response.status_code == 200
    assert "đã qua" in response.content.decode()
    revision.refresh_from_db()
    assert revision.state == RevisionState.DRAFT and officer.pk != revision.author_id


def test_no_one_approves_their_own_submission(client):
    item, author, revision = pending(client, role="Chief editor")
    revisions.submit(revision=revision, by=author)
    response = client.post(
        admin_url(CHANGE, suffix=f"{item.pk}/revision/publish/"), as_seen(item, {"confirm": "1"})
    )
    assert response.status_code == 200
    assert "người có quyền đăng khác" in response.content.decode()
    item.refresh_from_db()
    assert item.title_vi == "Bản đã duyệt"
    other = factories.staff(role="Chief editor")
    revisions.publish_now(revision=revision, by=other)
    item.refresh_from_db()
    assert item.title_vi == "Bản sửa chờ duyệt"


def test_a_diff_of_rich_text_with_attack_payloads_is_shown_as_text(client):
    item, _author, _revision = pending(
        client, title_vi=f"Tiêu đề {ATTACK}", body_vi=f"<p>Nội dung {ATTACK}</p>"
    )
    signed_in(client, "Chief editor")
    html = client.get(admin_url(CHANGE, suffix=f"{item.pk}/change/")).content.decode()
    diff = html[html.index("revision-diff") : html.index("revision-actions")]
    assert "<script" not in diff and "<img" not in diff
    assert "&lt;script&gt;alert" in diff
    # The rich text keeps what the sanitizer lets through, shown as text.
    assert 'data-field="body_vi"' in diff and "&lt;p&gt;" in diff


def test_a_comment_with_markup_is_escaped_and_reaches_the_author_in_their_language(
    client, django_capture_on_commit_callbacks
):
    item, author, revision = pending(client)
    revisions.submit(revision=revision, by=author)
    signed_in(client, "Chief editor")
    url = admin_url(CHANGE, language="en", suffix=f"{item.pk}/revision/send_back/")
    response = client.post(url, as_seen(item, {"comment": ""}))
    assert response.status_code == 200  # a comment is needed
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, as_seen(item, {"comment": f"Sửa lại tiêu đề {ATTACK}"}))
    assert response.status_code == 302
    revision.refresh_from_db()
    assert revision.state == RevisionState.SENT_BACK
    html = client.get(admin_url(CHANGE, suffix=f"{item.pk}/change/")).content.decode()
    assert "&lt;script&gt;" in html and '<script>alert("x")' not in html
    (message,) = mail.outbox
    assert message.to == [author.email]
    assert "trả lại" in message.subject  # the author worked in the Vietnamese admin
    assert ATTACK in message.body  # plain text


def test_the_change_list_shows_and_filters_the_editorial_state(client):
    item, _author, _revision = pending(client)
    other = factories.announcement(title_vi="Tin khác đang đăng")
    url = admin_url(CHANGE)
    html = client.get(url).content.decode()
    assert "Đang đăng, có thay đổi chờ duyệt" in html
    html = client.get(url + "?editorial=pending").content.decode()
    assert item.title_vi in html and other.title_vi not in html
    html = client.get(url + "?editorial=live").content.decode()
    assert other.title_vi in html and item.title_vi not in html


def test_the_review_queue_and_its_count_follow_the_role(client):
    announcement, author, revision = pending(client)
    revisions.submit(revision=revision, by=author)
    meeting = factories.meeting(title_vi="Hội nghị đã đăng")
    revisions.store(meeting, ["title_vi"], by=author, submit=True)
    queue = admin_url("asean_portal.pendingrevision")
    seen = {}
    for role in ("Chief editor", "Press officer", "Editor", "Administrator"):
        signed_in(client, role)
        response = client.get(queue)
        seen[role] = response.status_code
        if response.status_code == 200:
            html = response.content.decode()
            seen[role] = [
                title for title in ("Bản sửa chờ duyệt", "Hội nghị đã đăng") if title in html
            ]
            assert "review-queue-link" in html
    assert seen == {
        "Chief editor": ["Bản sửa chờ duyệt", "Hội nghị đã đăng"],
        "Press officer": ["Bản sửa chờ duyệt"],
        "Editor": 403,
        "Administrator": 403,
    }
    signed_in(client, "Chief editor")
    html = client.get(admin_url(CHANGE)).content.decode()
    assert "(2)" in html[html.index("review-queue-link") :][:200]


def test_approval_reaches_the_author_in_their_language(client, django_capture_on_commit_callbacks):
    item = factories.announcement(title_vi="Bản đã duyệt")
    signed_in(client, "Editor")
    url = admin_url(CHANGE, language="en", suffix=f"{item.pk}/change/")
    data = announcement_form(item.category, title_vi="Bản sửa", slug_vi=item.slug_vi)
    response = client.post(url, {**data, "_submit_for_review": "1"})
    assert response.status_code == 302, errors(response)
    revision = revisions.open_revision(item)
    assert revision.author_language == "en"  # the author works in the English admin
    due = timezone.now() + timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        revisions.schedule(
            revision=revision,
            at=due,
            by=factories.staff(role="Chief editor"),
            english="notice",  # the Vietnamese title changed alone
        )
    (message,) = mail.outbox
    assert message.subject.startswith("Changes approved")
    assert "go live at" in message.body


def test_a_late_scheduled_revision_is_overdue_for_readyz(client):
    from asean_portal.core.publishing import overdue

    _item, _author, revision = pending(client)
    due = timezone.now() + timedelta(minutes=1)
    revisions.schedule(revision=revision, at=due, by=factories.staff(role="Chief editor"))
    assert overdue(now=due + timedelta(seconds=30)) == []
    late = overdue(now=due + timedelta(seconds=90))
    assert [(entry["type"], entry["id"]) for entry in late] == [
        ("asean_portal.pendingrevision", revision.pk)
    ]


def test_odd_addresses_of_the_decisions_are_refused_not_errors(client):
    item, _author, _revision = pending(client)
    signed_in(client, "Chief editor")
    assert client.get(admin_url(CHANGE, suffix="abc/revision/publish/")).status_code == 404
    assert client.get(admin_url(CHANGE, suffix="99999999/revision/publish/")).status_code == 404
    assert client.get(admin_url(CHANGE, suffix=f"{item.pk}/revision/nope/")).status_code == 403
    other = factories.announcement()
    response = client.get(admin_url(CHANGE, suffix=f"{other.pk}/revision/publish/"))
    assert response.status_code == 302  # nothing pending: back to the item, with a message


def test_an_edit_keeps_a_submission_in_review_and_save_as_draft_withdraws_it(client):
    item, author, revision = pending(client)
    revisions.submit(revision=revision, by=author)
    assert edit(client, item, title_vi="Sửa thêm").status_code == 302
    revision.refresh_from_db()
    assert revision.state == RevisionState.IN_REVIEW and revision.fields["title_vi"] == "Sửa thêm"
    assert edit(client, item, "_save_as_draft", title_vi="Sửa thêm").status_code == 302
    revision.refresh_from_db()
    assert revision.state == RevisionState.DRAFT


def test_changes_whose_address_was_taken_meanwhile_are_refused_not_an_error(client):
    item, _author, revision = pending(client, slug_vi="dia-chi-moi")
    factories.announcement(slug_vi="dia-chi-moi")
    with pytest.raises(revisions.ValidationError) as refused:
        revisions.publish_now(revision=revision, by=factories.staff(role="Chief editor"))
    assert refused.value.code == "conflict"
    revision.refresh_from_db()
    assert revision.state == RevisionState.DRAFT
    item.refresh_from_db()
    assert item.title_vi == "Bản đã duyệt"


def test_the_sweep_returns_changes_in_conflict_to_review_instead_of_retrying(client):
    item, _author, revision = pending(client, slug_vi="dia-chi-moi")
    due = timezone.now() + timedelta(minutes=1)
    revisions.schedule(revision=revision, at=due, by=factories.staff(role="Chief editor"))
    factories.announcement(slug_vi="dia-chi-moi")
    with time_machine.travel(due + timedelta(seconds=1), tick=False):
        assert ("asean_portal.pendingrevision", revision.pk, "revise", False) in publish_due()
    revision.refresh_from_db()
    assert revision.state == RevisionState.IN_REVIEW and revision.publish_at is None
    item.refresh_from_db()
    assert item.title_vi == "Bản đã duyệt"
    assert not PublicationEvent.objects.filter(action="revised").exists()


def test_a_new_draft_is_submitted_reviewed_and_published_by_another(
    client, django_capture_on_commit_callbacks
):
    item = factories.announcement(status=Status.DRAFT, publish_at=None, title_vi="Tin mới viết")
    author = signed_in(client, "Editor")
    html = client.get(admin_url(CHANGE, suffix=f"{item.pk}/change/")).content.decode()
    assert 'name="_submit_for_review"' in html and 'name="_save_as_draft"' not in html
    response = edit(client, item, "_submit_for_review", title_vi="Tin mới đã sửa")
    assert response.status_code == 302, errors(response)
    item.refresh_from_db()
    assert (
        item.title_vi == "Tin mới đã sửa" and item.status == Status.DRAFT
    )  # a draft is not public
    revision = revisions.open_revision(item)
    assert revision.state == RevisionState.IN_REVIEW
    assert "Đang chờ duyệt" in client.get(admin_url(CHANGE)).content.decode()
    # Edited while it waits: the revision follows the row.
    assert edit(client, item, title_vi="Tin mới sửa lần hai").status_code == 302
    revision.refresh_from_db()
    assert revision.fields["title_vi"] == "Tin mới sửa lần hai"
    assert revision.state == RevisionState.IN_REVIEW
    chief = signed_in(client, "Chief editor")
    assert (
        "Tin mới sửa lần hai"
        in client.get(admin_url("asean_portal.pendingrevision")).content.decode()
    )
    due = timezone.localtime() + timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            admin_url(CHANGE, suffix=f"{item.pk}/revision/schedule/"),
            as_seen(
                item,
                {
                    "publish_at_0": due.strftime("%d/%m/%Y"),
                    "publish_at_1": due.strftime("%H:%M:%S"),
                    # The Vietnamese changed since the English was written.
                    "english": "notice",
                },
            ),
        )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == Status.SCHEDULED and item.scheduled_by == chief
    assert revisions.open_revision(item) is None
    (message,) = mail.outbox
    assert message.to == [author.email] and "đã được duyệt" in message.subject


def test_the_author_of_a_new_draft_does_not_approve_it(client):
    item = factories.announcement(status=Status.DRAFT, publish_at=None)
    signed_in(client, "Chief editor")
    assert edit(client, item, "_submit_for_review").status_code == 302
    response = client.post(
        admin_url(CHANGE, suffix=f"{item.pk}/revision/publish/"), as_seen(item, {"confirm": "1"})
    )
    assert response.status_code == 200 and "người có quyền đăng khác" in response.content.decode()
    item.refresh_from_db()
    assert item.status == Status.DRAFT


def test_staff_preview_shows_the_pending_links_and_the_public_the_live_ones(client):
    meeting = factories.meeting(title_vi="Hội nghị có văn bản")
    kept = factories.document(title_vi="Văn bản đang gắn")
    added = factories.document(title_vi="Văn bản gắn thêm")
    draft = factories.document(title_vi="Văn bản nháp", status=Status.DRAFT, publish_at=None)
    related = factories.meeting(title_vi="Hội nghị liên quan mới")
    meeting.documents.set([kept])
    author = signed_in(client, "Editor")
    revisions.store(
        meeting,
        ["title_vi", "documents", "related_meetings"],
        by=author,
        links={"documents": [added.pk, draft.pk], "related_meetings": [related.pk]},
    )
    preview = client.get(meeting.get_absolute_url()).content.decode()
    assert "notice-pending" in preview
    assert "Văn bản gắn thêm" in preview and "Hội nghị liên quan mới" in preview
    assert "Văn bản đang gắn" not in preview
    # A preview shows what the public will see: a draft stays unlinked.
    assert "Văn bản nháp" not in preview
    page = public_title(meeting)
    assert "Văn bản đang gắn" in page
    assert "Văn bản gắn thêm" not in page and "Hội nghị liên quan mới" not in page


SEEN = re.compile(r'name="seen" value="([^"]*)"')


def text_of(page):
    """The page's text, without its markup (the diff marks words apart)."""
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def test_a_publisher_approves_only_the_changes_their_page_showed(client):
    item, author, _revision = pending(client, title_vi="Bản sửa đã đọc")
    chief = signed_in(client, "Chief editor")
    url = admin_url(CHANGE, suffix=f"{item.pk}/revision/publish/")
    page = client.get(url).content.decode()
    assert "Bản sửa đã đọc" in text_of(page)
    # The author saves other changes while the publisher reads these.
    client.force_login(author)
    response = edit(client, item, "_save_as_draft", title_vi="Bản sửa sau khi đọc")
    assert response.status_code == 302
    client.force_login(chief)
    # The Vietnamese changed since the English was written: the publisher chooses.
    decision = {"confirm": "1", "english": "notice"}
    response = client.post(url, {**decision, "seen": SEEN.search(page).group(1)})
    page = response.content.decode()
    assert response.status_code == 200
    assert "đã được sửa sau khi trang này được mở" in page
    assert "Bản sửa sau khi đọc" in text_of(page)
    item.refresh_from_db()
    assert item.title_vi == "Bản đã duyệt"
    # Confirmed from the page that shows them, they go live.
    response = client.post(url, {**decision, "seen": SEEN.search(page).group(1)})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.title_vi == "Bản sửa sau khi đọc"


@pytest.mark.parametrize("seen", [None, "", "2020-01-01T00:00:00+00:00"])
def test_a_decision_without_the_changes_it_was_shown_is_refused(client, seen):
    item, _author, _revision = pending(client)
    signed_in(client, "Chief editor")
    data = {"confirm": "1"} if seen is None else {"confirm": "1", "seen": seen}
    response = client.post(admin_url(CHANGE, suffix=f"{item.pk}/revision/publish/"), data)
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.title_vi == "Bản đã duyệt"


def test_a_decision_claims_the_changes_as_they_were_read(client):
    """Saved again between the page's check and the decision, they are not
    approved: the claim finds them changed."""
    item, _author, revision = pending(client)
    assert edit(client, item, "_save_as_draft", title_vi="Sửa lần nữa").status_code == 302
    chief = factories.staff(role="Chief editor")
    with pytest.raises(revisions.ValidationError) as refused:
        revisions.publish_now(revision=revision, by=chief)
    assert refused.value.code == "stale"
    item.refresh_from_db()
    assert item.title_vi == "Bản đã duyệt"

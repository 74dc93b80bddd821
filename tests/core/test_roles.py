"""The whole permission matrix, through the admin: each role × each model ×
view, add, change and delete, plus who may publish, and the ways a role might
try to climb above its own permissions."""

import pytest
from django.contrib.admin import ModelAdmin
from django.contrib.auth.models import Group, Permission, User
from django.forms import MultiWidget
from django.test import Client
from django.utils import translation

from asean_portal import admin as accounts_admin
from asean_portal.core.publishing import Status
from asean_portal.roles import Role
from asean_portal.site.about import AboutPortal, FeedbackMessage
from tests import factories
from tests.core.test_admin import MAKERS, admin_url, errors

CONTENT = [
    "events.announcement",
    "events.meeting",
    "priorities.chairmanship",
    "priorities.priority",
    "civil_service.workplan",
    "civil_service.activity",
    "civil_service.document",
]
REFERENCE = ["events.country", "events.meetingseries", "events.category"]
ACCOUNTS = ["auth.user", "asean_portal.role"]
# The portal's own page and the readers' messages: the About page is one row
# (never added twice, never deleted); a message is never added or deleted in
# the admin, and "change" only marks it handled.
PORTAL = ["asean_portal.aboutportal", "asean_portal.feedbackmessage"]
ACTIONS = ("view", "add", "change", "delete")


def expected(role, label):
    if label == "asean_portal.aboutportal":
        return {"view", "change"} if role == "Chief editor" else {"view"}
    if label == "asean_portal.feedbackmessage":
        # Those who answer the public read the messages and mark them handled.
        return set() if role == "Administrator" else {"view", "change"}
    if role == "Chief editor":
        return set(ACTIONS) if label not in ACCOUNTS else set()
    if role == "Editor":
        if label in REFERENCE:
            # No review step: a rename is public at once, so a publisher's.
            return {"view"}
        return {"view", "add", "change"} if label not in ACCOUNTS else set()
    if role == "Press officer":
        if label == "events.announcement":
            return {"view", "add", "change"}
        return {"view"} if label not in ACCOUNTS else set()
    if role == "Administrator":
        return set(ACTIONS) if label in ACCOUNTS else {"view"}
    raise AssertionError(role)


def make(label):
    if label == "auth.user":
        return factories.staff()
    if label == "asean_portal.role":
        return Role.objects.create(name="Test group")
    if label == "asean_portal.aboutportal":
        about = AboutPortal.load()
        about.save()
        return about
    if label == "asean_portal.feedbackmessage":
        return FeedbackMessage.objects.create(name="Reader", email="r@example.org", message="Hi")
    return MAKERS[label]()


ROLES = ["Editor", "Press officer", "Chief editor", "Administrator"]


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("label", CONTENT + REFERENCE + ACCOUNTS + PORTAL)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, role, label, action):
    obj = make(label)
    client.force_login(factories.staff(role=role))
    allowed = action in expected(role, label)
    url = {
        "view": admin_url(label),
        "add": admin_url(label, suffix="add/"),
        "change": admin_url(label, suffix=f"{obj.pk}/change/"),
        "delete": admin_url(label, suffix=f"{obj.pk}/delete/"),
    }[action]
    # The About page's list leads straight to its one row.
    response = client.get(url, follow=label == "asean_portal.aboutportal")
    if action == "change" and "view" in expected(role, label):
        # A reader sees the page without a save button.
        assert response.status_code == 200
        assert ('name="_save"' in response.content.decode()) is allowed
    else:
        assert response.status_code == (200 if allowed else 403), url


@pytest.mark.parametrize(
    ("role", "label", "may_publish"),
    [
        ("Press officer", "events.announcement", True),
        ("Editor", "events.announcement", False),
        ("Chief editor", "events.announcement", True),
        ("Chief editor", "events.meeting", True),
        ("Chief editor", "civil_service.document", True),
        ("Editor", "events.meeting", False),
    ],
)
def test_only_publishers_get_the_publishing_buttons(client, role, label, may_publish):
    obj = make(label)
    client.force_login(factories.staff(role=role))
    html = client.get(admin_url(label, suffix=f"{obj.pk}/change/")).content.decode()
    # Nobody edits the state as a field; publishers get the transitions' buttons.
    assert 'name="status"' not in html
    assert 'name="publish_at_0"' not in html
    assert (f"/{obj.pk}/publishing/schedule/" in html) is may_publish


# --- Roles cannot climb -------------------------------------------------------
# Only superusers make or unmake superusers and manage their accounts; anyone
# else assigns only groups and permissions that they hold themselves, and
# manages only accounts and groups whose permissions they all hold.

NEW_PASSWORD = "Another-long-passphrase-42"


def form_data(url):
    """What a browser posts back unchanged from the admin form at ``url``, read
    as a superuser sees it (others may be shown a read-only page)."""
    reader = Client()
    reader.force_login(factories.staff(superuser=True))
    form = reader.get(url).context["adminform"].form
    data = {}
    for bound in form:
        if bound.field.disabled:
            continue
        value = bound.value()
        widget = bound.field.widget
        if isinstance(widget, MultiWidget):
            for index, (part, sub) in enumerate(
                zip(widget.decompress(value), widget.widgets, strict=True)
            ):
                data[f"{bound.html_name}_{index}"] = sub.format_value(part) or ""
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(item) for item in value]
        elif isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
        elif value is not None:
            data[bound.html_name] = widget.format_value(value) or ""
    return data


def permission(label):
    app_label, codename = label.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def user_url(user, suffix="change/"):
    return admin_url("auth.user", suffix=f"{user.pk}/{suffix}")


def attempt(name, actor):
    """(url, data, state) of one attempt to climb; ``state`` reads what it would change."""
    if name in ("superuser_self", "superuser_other"):
        target = actor if name == "superuser_self" else factories.staff()
        data = {**form_data(user_url(target)), "is_superuser": "on"}
        return user_url(target), data, lambda: User.objects.get(pk=target.pk).is_superuser
    if name == "own_group":
        data = {
            **form_data(user_url(actor)),
            "groups": [*actor.groups.values_list("pk", flat=True), chief_editors().pk],
        }
        return user_url(actor), data, lambda: set(actor.groups.all())
    if name == "permission_not_held":
        target = factories.staff()
        data = {
            **form_data(user_url(target)),
            "user_permissions": [permission("events.publish_announcement").pk],
        }
        return user_url(target), data, lambda: set(target.user_permissions.all())
    if name == "group_permission":
        group = Group.objects.get(name="Administrator")
        url = admin_url("asean_portal.role", suffix=f"{group.pk}/change/")
        data = form_data(url)
        data["permissions"] = [*data["permissions"], permission("events.publish_announcement").pk]
        return url, data, lambda: set(group.permissions.all())
    target = factories.staff(superuser=True)
    if name == "superuser_password":
        data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
        return (
            user_url(target, "password/"),
            data,
            lambda: User.objects.get(pk=target.pk).password,
        )
    if name == "superuser_change":
        data = {**form_data(user_url(target)), "username": "taken-over"}
        return user_url(target), data, lambda: User.objects.get(pk=target.pk).username
    if name == "superuser_delete":
        data = {"post": "yes"}
        return user_url(target, "delete/"), data, lambda: User.objects.filter(pk=target.pk).exists()
    assert name == "superuser_delete_selected", name
    data = {"action": "delete_selected", "_selected_action": [target.pk], "post": "yes"}
    return admin_url("auth.user"), data, lambda: User.objects.filter(pk=target.pk).exists()


def chief_editors():
    return Group.objects.get(name="Chief editor")


ATTEMPTS = [
    "superuser_self",
    "superuser_other",
    "own_group",
    "permission_not_held",
    "group_permission",
    "superuser_password",
    "superuser_change",
    "superuser_delete",
    "superuser_delete_selected",
]


def refused(response):
    if response.status_code == 403:
        return True
    context = response.context or {}
    return response.status_code == 200 and bool(context["adminform"].form.errors)


@pytest.mark.parametrize("name", ATTEMPTS)
@pytest.mark.parametrize("role", ROLES)
def test_no_role_can_climb(client, role, name):
    actor = factories.staff(role=role)
    url, data, state = attempt(name, actor)
    before = state()
    client.force_login(actor)
    response = client.post(url, data)
    # One's own groups are shown read-only: a posted change is not applied.
    assert refused(response) or (name == "own_group" and response.status_code == 302), (
        response.status_code,
        url,
    )
    assert state() == before


@pytest.mark.parametrize(
    "name", [name for name in ATTEMPTS if name not in ("superuser_self", "own_group")]
)
def test_a_superuser_can_do_all_of_it(client, name):
    factories.ensure_roles()
    actor = factories.staff(superuser=True)
    url, data, state = attempt(name, actor)
    before = state()
    client.force_login(actor)
    response = client.post(url, data)
    assert response.status_code == 302, errors(response)
    assert state() != before


def test_an_administrator_still_manages_accounts_within_their_permissions(client):
    actor = factories.staff(role="Administrator")
    client.force_login(actor)
    target = factories.staff(role="Administrator")
    response = client.post(
        user_url(target, "password/"),
        {
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(pk=target.pk).check_password(NEW_PASSWORD)
    newcomer = factories.staff()
    data = {**form_data(user_url(newcomer)), "groups": [Group.objects.get(name="Administrator").pk]}
    assert client.post(user_url(newcomer), data).status_code == 302
    assert [group.name for group in newcomer.groups.all()] == ["Administrator"]


def test_an_administrator_staffs_the_newsroom(client):
    """The roles an Administrator hands out (Editor, Press officer, Chief
    editor) go to others, and their accounts are the Administrator's to run,
    though the Administrator holds none of their content permissions."""
    actor = factories.staff(role="Administrator")
    client.force_login(actor)
    newcomer = factories.staff()
    data = {**form_data(user_url(newcomer)), "groups": [chief_editors().pk]}
    assert client.post(user_url(newcomer), data).status_code == 302
    assert [group.name for group in newcomer.groups.all()] == ["Chief editor"]
    chief = factories.staff(role="Chief editor")
    response = client.post(
        user_url(chief, "password/"),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    assert User.objects.get(pk=chief.pk).check_password(NEW_PASSWORD)
    # Not to themselves.
    assert not actor.has_perm("events.publish_announcement")


def test_an_administrator_is_offered_only_what_they_may_grant(client):
    actor = factories.staff(role="Administrator")
    client.force_login(actor)
    form = client.get(user_url(factories.staff())).context["adminform"].form
    assert form.fields["is_superuser"].widget.attrs.get("disabled")
    assert {group.name for group in form.fields["groups"].queryset} == {
        "Administrator",
        "Editor",
        "Press officer",
        "Chief editor",
    }
    offered = {
        f"{perm.content_type.app_label}.{perm.codename}"
        for perm in form.fields["user_permissions"].queryset
    }
    assert offered == actor.get_all_permissions()
    # A superuser's account is shown to them, read-only.
    response = client.get(user_url(factories.staff(superuser=True)))
    assert response.status_code == 200 and 'name="_save"' not in response.content.decode()


@pytest.mark.parametrize("name", ["superuser_other", "permission_not_held", "group_permission"])
def test_the_save_refuses_what_a_form_let_through(client, monkeypatch, name):
    """Should a form ever offer too much, saving it is still refused."""

    def offer_everything(model_admin, db_field, request, **kwargs):
        return ModelAdmin.formfield_for_manytomany(model_admin, db_field, request, **kwargs)

    for model_admin in (accounts_admin.PortalUserAdmin, accounts_admin.PortalGroupAdmin):
        monkeypatch.setattr(model_admin, "formfield_for_manytomany", offer_everything)
    monkeypatch.setattr(accounts_admin, "refuse_superuser_status", lambda value: None)
    actor = factories.staff(role="Administrator")
    url, data, state = attempt(name, actor)
    before = state()
    client.force_login(actor)
    assert client.post(url, data).status_code == 403
    assert state() == before


@pytest.mark.parametrize("role", ["Editor", "Press officer", "Chief editor", "superuser"])
def test_a_received_message_is_only_marked_handled(client, role):
    """Nobody edits what a reader wrote; those who answer mark it handled."""
    message = make("asean_portal.feedbackmessage")
    actor = factories.staff(superuser=True) if role == "superuser" else factories.staff(role=role)
    client.force_login(actor)
    url = admin_url("asean_portal.feedbackmessage", suffix=f"{message.pk}/change/")
    data = {
        "name": "Someone else",
        "email": "other@example.org",
        "message": "Changed words",
        "language": "en",
        "emailed": "on",
        "handled": "on",
    }
    assert client.post(url, data).status_code == 302
    stored = FeedbackMessage.objects.get(pk=message.pk)
    assert stored.handled
    assert (stored.name, stored.email, stored.message, stored.emailed) == (
        "Reader",
        "r@example.org",
        "Hi",
        False,
    )


def test_messages_are_marked_handled_from_the_list(client):
    first, second = (make("asean_portal.feedbackmessage") for _ in range(2))
    client.force_login(factories.staff(role="Editor"))
    response = client.post(
        admin_url("asean_portal.feedbackmessage"),
        {"action": "mark_handled", "_selected_action": [first.pk, second.pk]},
    )
    assert response.status_code == 302
    assert FeedbackMessage.objects.filter(handled=True).count() == 2


def test_only_those_who_may_change_an_item_mark_its_english_reviewed(client):
    meeting = factories.meeting()
    meeting.title_vi = "Tên mới"
    meeting.save()
    assert meeting.english_state == "outdated"
    client.force_login(factories.staff(role="Press officer"))
    url = admin_url("events.meeting")
    assert "mark_english_reviewed" not in client.get(url).content.decode()
    client.post(url, {"action": "mark_english_reviewed", "_selected_action": [meeting.pk]})
    meeting.refresh_from_db()
    assert meeting.english_state == "outdated"


def test_only_a_publisher_marks_the_english_of_a_public_item_reviewed(client):
    """The action takes the "English may be outdated" notice off a public
    page: an editor, whose changes of public items wait for review, may use it
    on drafts only; a chief editor may on public items too."""
    public = factories.meeting()
    draft = factories.meeting(status=Status.DRAFT, publish_at=None)
    for meeting in (public, draft):
        meeting.title_vi = "Tên mới"
        meeting.save()
        assert meeting.english_state == "outdated"
    client.force_login(factories.staff(role="Editor"))
    url = admin_url("events.meeting")
    action = {"action": "mark_english_reviewed", "_selected_action": [public.pk, draft.pk]}
    with translation.override("vi"):
        response = client.post(url, action, follow=True)
    shown = [str(message) for message in response.context["messages"]]
    assert any("chỉ người có quyền xuất bản" in message for message in shown), shown
    public.refresh_from_db()
    draft.refresh_from_db()
    assert (public.english_state, draft.english_state) == ("outdated", "complete")
    client.force_login(factories.staff(role="Chief editor"))
    client.post(url, action)
    public.refresh_from_db()
    assert public.english_state == "complete"

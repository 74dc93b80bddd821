"""The whole permission matrix, through the admin: each role × each model ×
view, add, change and delete, plus who may publish."""

import pytest

from tests import factories
from tests.core.test_admin import MAKERS, admin_url

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
ACCOUNTS = ["auth.user", "auth.group"]
ACTIONS = ("view", "add", "change", "delete")


def expected(role, label):
    if role == "Chief editor":
        return set(ACTIONS) if label not in ACCOUNTS else set()
    if role == "Editor":
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
    if label == "auth.group":
        from django.contrib.auth.models import Group

        return Group.objects.create(name="Test group")
    return MAKERS[label]()


ROLES = ["Editor", "Press officer", "Chief editor", "Administrator"]


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("label", CONTENT + REFERENCE + ACCOUNTS)
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
    response = client.get(url)
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

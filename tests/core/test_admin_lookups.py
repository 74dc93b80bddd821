"""The filters an address may ask of an admin change list. Django lets staff
filter a list by any lookup of its model's own fields, including regular
expressions, which the database runs as given: one pattern with nested
repetition keeps a SQLite process busy for good, and a broken one is a
database error. Every change list, the apps' too, treats one as a wrong
filter: the whole list is shown, with a warning in the staff member's
language."""

import pytest
from django.contrib import admin
from django.db import models
from django.urls import reverse

from asean_portal.site.about import AboutPortal
from tests import factories

pytestmark = pytest.mark.django_db


def text_field(model):
    for field in model._meta.get_fields():
        if isinstance(field, (models.CharField, models.TextField)) and not field.is_relation:
            return field.name
    return None


def registered_lists():
    for model in admin.site._registry:
        if model is AboutPortal:  # no list: it leads to its one row
            continue
        field = text_field(model)
        if field is not None:
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            yield pytest.param(url, field, id=model._meta.label)


@pytest.mark.parametrize("lookup", ["regex", "iregex"])
@pytest.mark.parametrize("url, field", list(registered_lists()))
def test_no_change_list_runs_a_regular_expression_from_its_address(client, url, field, lookup):
    client.force_login(factories.staff(superuser=True))
    response = client.get(url, {f"{field}__{lookup}": "(a*)*$"})
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


def test_the_refusal_says_why_in_the_staff_members_language(client):
    client.force_login(factories.staff(superuser=True))
    factories.meeting(title_vi="Hội nghị ACCSM lần thứ 21")
    for pattern in ("(", "(.*)*z$"):
        response = client.get("/vi/admin/events/meeting/", {"title__regex": pattern}, follow=True)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Không áp dụng được một bộ lọc trong địa chỉ" in html
        assert "Hội nghị ACCSM lần thứ 21" in html


def test_the_filters_the_lists_offer_still_work(client):
    client.force_login(factories.staff(superuser=True))
    item = factories.announcement()
    response = client.get("/en/admin/events/announcement/", {"title_vi__icontains": item.title_vi})
    assert response.status_code == 200
    assert item.title_vi in response.content.decode()


def test_a_search_of_a_thousand_words_uses_the_first_twenty(client):
    client.force_login(factories.staff(superuser=True))
    item = factories.announcement(title_vi="Chuyển đổi số trong công vụ")
    words = "Chuyển đổi " + " ".join(["số"] * 1000)
    response = client.get("/vi/admin/events/announcement/", {"q": words}, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert item.title_vi in html
    assert "Chỉ 20 từ đầu tiên" in html


def test_an_autocomplete_of_thousands_of_words_answers(client):
    client.force_login(factories.staff(superuser=True))
    factories.meeting()
    response = client.get(
        "/en/admin/autocomplete/",
        {
            "term": " ".join(["a"] * 3000),
            "app_label": "events",
            "model_name": "announcement",
            "field_name": "meeting",
        },
    )
    assert response.status_code == 200
    assert "results" in response.json()

"""Small factories for the content models: each makes a valid, public object
unless told otherwise."""

import importlib
import itertools
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from asean_portal.core.publishing import Status
from civil_service.models import Activity, Document, WorkPlan
from events.models import Announcement, Category, Country, Meeting, MeetingSeries
from priorities.models import Chairmanship, Priority

_numbers = itertools.count(1)


# Every staff member made here signs in with it.
PASSWORD = "a-long-test-password"


def _n():
    return next(_numbers)


def live(**extra):
    return {"status": Status.PUBLISHED, "publish_at": timezone.now() - timedelta(hours=1), **extra}


def country(**fields):
    # Two letters give 676 codes, which a long run goes past: skip those taken.
    while True:
        n = _n()
        letters = f"{chr(65 + n % 26)}{chr(65 + (n // 26) % 26)}"
        if not Country.objects.filter(iso_code=letters).exists():
            break
    defaults = {
        "iso_code": letters,
        "name_vi": f"Nước {n}",
        "name_en": f"Country {n}",
        "group": "asean",
    }
    return Country.objects.create(**{**defaults, **fields})


def series(**fields):
    n = _n()
    defaults = {"code": f"S{n}", "name_vi": f"Chuỗi {n}", "name_en": f"Series {n}"}
    return MeetingSeries.objects.create(**{**defaults, **fields})


def category(**fields):
    n = _n()
    return Category.objects.create(
        **{"name_vi": f"Chuyên mục {n}", "name_en": f"Category {n}", **fields}
    )


def announcement(**fields):
    n = _n()
    defaults = live(
        title_vi=f"Tin số {n} về công vụ",
        title_en=f"News item {n} on the civil service",
        lead_vi="Tóm tắt.",
        lead_en="Summary.",
        body_vi="<p>Nội dung.</p>",
        body_en="<p>Body.</p>",
    )
    if "category" not in fields:
        defaults["category"] = category()
    return Announcement.objects.create(**{**defaults, **fields})


def meeting(**fields):
    n = _n()
    defaults = live(title_vi=f"Hội nghị số {n}", title_en=f"Meeting {n}", kind="som")
    if "series" not in fields:
        defaults["series"] = series()
    return Meeting.objects.create(**{**defaults, **fields})


def chairmanship(**fields):
    n = _n()
    defaults = live(year=1000 + n, theme_vi=f"Chủ đề {n}", theme_en=f"Theme {n}")
    if "chair_country" not in fields:
        defaults["chair_country"] = country()
    return Chairmanship.objects.create(**{**defaults, **fields})


def priority(**fields):
    n = _n()
    defaults = live(number=n, title_vi=f"Ưu tiên {n}", title_en=f"Priority {n}")
    if "chairmanship" not in fields:
        defaults["chairmanship"] = chairmanship()
    return Priority.objects.create(**{**defaults, **fields})


def work_plan(**fields):
    n = _n()
    defaults = live(
        name_vi=f"Kế hoạch {n}",
        name_en=f"Plan {n}",
        participation="accsm3",
        first_year=2021,
        last_year=2025,
    )
    return WorkPlan.objects.create(**{**defaults, **fields})


def activity(**fields):
    n = _n()
    defaults = live(
        title_vi=f"Hoạt động {n}", title_en=f"Activity {n}", participation="accsm3", start_year=2022
    )
    if "work_plan" not in fields:
        defaults["work_plan"] = work_plan()
    if "registering_country" not in fields:
        defaults["registering_country"] = country()
    return Activity.objects.create(**{**defaults, **fields})


def document(**fields):
    n = _n()
    return Document.objects.create(
        **{**live(title_vi=f"Văn bản {n}", title_en=f"Document {n}", kind="decision"), **fields}
    )


def ensure_roles():
    """The roles come from a data migration; a transactional test's flush
    removes them, so put them back the way the migration does."""
    from django.apps import apps

    roles = importlib.import_module("asean_portal.migrations.0002_roles")
    if Group.objects.filter(name__in=roles.ROLES).count() != len(roles.ROLES):
        roles.create_roles(apps, None)
        importlib.import_module("asean_portal.migrations.0012_roles_about_and_feedback").grant(
            apps, None
        )
        importlib.import_module("asean_portal.migrations.0016_role_proxy").grant(apps, None)
    return roles.ROLES


def staff(role=None, superuser=False, **fields):
    n = _n()
    user = get_user_model().objects.create_user(
        username=f"staff{n}",
        password=PASSWORD,
        is_staff=True,
        is_superuser=superuser,
        **fields,
    )
    if role:
        ensure_roles()
        user.groups.add(Group.objects.get(name=role))
    return user

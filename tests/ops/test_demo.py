from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from asean_portal.core.content import EnglishState
from civil_service.models import Activity
from events.models import Announcement, Meeting


def rows():
    return {
        "announcements": list(
            Announcement.objects.filter(slug_vi__startswith="demo-")
            .order_by("slug_vi")
            .values_list(
                "slug_vi", "slug_en", "title_vi", "title_en", "body_vi", "publish_at", "image"
            )
        ),
        "meetings": list(
            Meeting.objects.filter(slug_vi__startswith="demo-")
            .order_by("slug_vi")
            .values_list("title_vi", "start_date")
        ),
        "activities": list(
            Activity.objects.filter(slug_vi__startswith="demo-")
            .order_by("slug_vi")
            .values_list("title_vi", "start_year")
        ),
    }


def generate(*extra):
    out = StringIO()
    call_command(
        "generate_demo_content",
        "--announcements",
        "60",
        "--meetings",
        "7",
        "--activities",
        "9",
        *extra,
        stdout=out,
    )
    return out.getvalue()


def test_demo_content_is_bilingual_public_and_deterministic():
    out = generate("--seed", "5")
    assert "Created 76 demo rows" in out
    first = rows()
    assert len(first["announcements"]) == 60
    assert len(first["meetings"]) == 7 and len(first["activities"]) == 9
    assert Announcement.objects.live().filter(slug_vi__startswith="demo-").count() == 60
    with_english = Announcement.objects.filter(
        slug_vi__startswith="demo-", english_state=EnglishState.COMPLETE
    )
    assert 0 < with_english.count() < 60
    assert all(title_en for title_en in with_english.values_list("title_en", flat=True))
    assert all(row[6].startswith("demo/photo-") for row in first["announcements"])
    # The same seed gives the same content; another seed does not.
    generate("--seed", "5", "--replace")
    assert rows() == first
    generate("--seed", "6", "--replace")
    assert rows() != first


def test_a_second_run_without_replace_is_refused():
    generate()
    with pytest.raises(CommandError, match="--replace"):
        generate()


def test_counts_are_validated():
    with pytest.raises(CommandError):
        call_command("generate_demo_content", "--announcements", "-1", stdout=StringIO())


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_bulk_insert_is_vacuumed_for_index_only_counts():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("VACUUM is PostgreSQL's; CI runs the suite there too")
    call_command(
        "generate_demo_content", announcements=20, meetings=2, activities=2, stdout=StringIO()
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT last_vacuum IS NOT NULL FROM pg_stat_user_tables WHERE relname = %s",
            ["events_announcement"],
        )
        assert cursor.fetchone()[0]

"""The seed content: complete, in both languages, and loaded only once."""

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.management import call_command
from django.utils import translation

from asean_portal.core.publishing import PublicationEvent, Status, publishable_models
from civil_service.models import Activity, Document, WorkPlan
from events.models import Announcement, Category, Country, Meeting, MeetingPhoto, MeetingSeries
from priorities.models import Chairmanship, Priority

SEEDED = [
    Country,
    MeetingSeries,
    Category,
    Chairmanship,
    Priority,
    WorkPlan,
    Activity,
    Document,
    Meeting,
    MeetingPhoto,
    Announcement,
]


@pytest.fixture
def seeded():
    call_command("load_seed_content", stdout=StringIO())


def snapshot():
    return {
        model.__name__: serializers.serialize("json", model.objects.order_by("pk"))
        for model in SEEDED
    }


def test_a_second_run_changes_nothing(seeded):
    before = snapshot()
    out = StringIO()
    call_command("load_seed_content", stdout=out)
    assert "0 new items" in out.getvalue()
    call_command("load_seed_content", "--update", stdout=StringIO())
    assert snapshot() == before


def test_counts(seeded):
    assert Country.objects.count() == 14
    assert Country.objects.filter(group="asean").count() == 10
    assert Chairmanship.objects.count() == 1
    assert Priority.objects.count() == 5
    assert WorkPlan.objects.count() == 2
    assert Activity.objects.count() == 4
    assert Document.objects.filter(kind="concept").count() == 3
    assert Meeting.objects.count() >= 7
    # The two articles, the five related items and the focus item.
    assert Announcement.objects.count() == 8
    for model in publishable_models():
        assert model.objects.live().count() == model.objects.count(), model


def test_the_chairmanship_and_its_theme_in_both_languages(seeded):
    chairmanship = Chairmanship.objects.get(year=2020)
    assert chairmanship.chair_country.iso_code == "VN"
    assert chairmanship.theme_vi == "Gắn kết và Chủ động thích ứng"
    assert chairmanship.theme_en == "Cohesive and Responsive"
    assert chairmanship.english_label == "official"
    numbers = list(chairmanship.priorities.values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4, 5]
    first = chairmanship.priorities.get(number=1)
    assert first.body_vi.startswith("<p>Phát huy vai trò và đóng góp tích cực của ASEAN")
    assert "ASEAN Centrality" in first.summary_en


def test_the_sixth_accsm_plus_three_meeting(seeded):
    meeting = Meeting.objects.get(series__code="ACCSM+3", ordinal=6)
    assert meeting.chair_name_vi == "Vũ Chiến Thắng"
    assert meeting.chair_name_en == "Vu Chien Thang"
    assert meeting.chair_title_en == "Deputy Minister of Home Affairs"
    assert meeting.start_date == date(2022, 8, 3)
    assert meeting.part_of.ordinal == 21
    codes = set(meeting.countries.values_list("iso_code", flat=True))
    assert {"CN", "JP", "KR", "VN", "BN"} <= codes and len(codes) == 13
    assert meeting.photos.count() == 9
    assert meeting.photos.filter(caption_en="An overview of the meeting").exists()


def test_accsm_21_its_forum_and_accsm_22(seeded):
    accsm21 = Meeting.objects.get(series__code="ACCSM", ordinal=21)
    assert (
        accsm21.theme_en
        == "Modernising Civil Service towards a Cohesive and Responsive ASEAN Community"
    )
    forum = accsm21.parts.get(series__code="FGG")
    assert forum.start_date == date(2022, 8, 4)
    assert forum.theme_vi.startswith("Đổi mới công tác đào tạo, bồi dưỡng")
    accsm22 = Meeting.objects.get(series__code="ACCSM", ordinal=22)
    assert accsm22.host_country.name_en == "Brunei Darussalam"
    assert accsm22.theme_en == "Strengthening ASEAN Public Sector: Fit for the Future"


def test_the_four_activities_with_their_years(seeded):
    plan = WorkPlan.objects.get(slug_en="accsm-plus-three-work-plan-2021-2025")
    rows = list(
        plan.activities.order_by("number").values_list(
            "number", "start_year", "is_annual", "concept_note_approved_on", "title_en"
        )
    )
    assert rows == [
        (
            1,
            2022,
            False,
            date(2021, 2, 25),
            "Leadership in the Post-COVID-19 Era: Skills for Adapting to Uncertainty in a "
            "Changing World",
        ),
        (2, 2023, False, date(2021, 2, 25), "Digital Transformation in the Civil Service"),
        (
            3,
            2023,
            False,
            date(2021, 11, 16),
            "Building E-Government: A Foundation for Digital Government",
        ),
        (4, 2022, True, None, "ACCSM+3 Forum on Good Governance"),
    ]
    assert set(plan.activities.values_list("registering_country__iso_code", flat=True)) == {"VN"}


def test_the_documents(seeded):
    decision = Document.objects.get(number="1439/QĐ-TTg")
    assert decision.issued_on == date(2018, 10, 29)
    assert decision.title_en.startswith("Prime Minister's Decision No. 1439/QD-TTg")
    declaration = Document.objects.get(slug_en="asean-declaration-on-the-role-of-the-civil-service")
    assert declaration.issued_on == date(2017, 4, 29)


def test_the_articles_and_timor_leste(seeded):
    article = Announcement.objects.get(byline="Hoài Nga")
    assert (
        article.title_en
        == "Promoting Civil Service Cooperation between ASEAN and Three Dialogue Partners"
    )
    assert article.category.announcements.count() == 7
    # The source portal's Focus item stays a Focus item, but off the home page,
    # whose Focus is the ASEAN article.
    hatinh = Announcement.objects.get(is_featured=True, on_home=False)
    assert hatinh.title_vi.startswith("Hà Tĩnh")
    assert Announcement.objects.get(is_featured=True, on_home=True) == article
    timor = Country.objects.get(iso_code="TL")
    assert (timor.name_vi, timor.name_en, timor.slug_vi) == (
        "Đông Timor",
        "Timor-Leste",
        "dong-timor",
    )


def test_seeded_pages_render_in_both_languages(seeded, client):
    with translation.override("vi"):
        urls_vi = [
            obj.get_absolute_url() for model in publishable_models() for obj in model.objects.all()
        ]
    with translation.override("en"):
        urls_en = [
            obj.get_absolute_url() for model in publishable_models() for obj in model.objects.all()
        ]
    for url in urls_vi + urls_en:
        assert client.get(url).status_code == 200, url
    html = client.get("/en/priorities/").content.decode()
    assert "Cohesive and Responsive" in html


def test_the_seed_publishes_through_the_transitions(seeded):
    """Each seeded item went public through the publishing transition: one
    event run by "seed", due and done at its historic publication time."""
    events = PublicationEvent.objects.all()
    for model in publishable_models():
        content_type = ContentType.objects.get_for_model(model)
        for item in model.objects.all():
            (event,) = events.filter(content_type=content_type, object_id=item.pk)
            assert (event.action, event.source) == ("published", "seed"), item
            assert event.due_at == event.happened_at == item.publish_at, item
            assert item.first_published_at == item.publish_at
            assert event.lateness_ms == 0
    count = events.count()
    assert count == sum(model.objects.count() for model in publishable_models())
    call_command("load_seed_content", stdout=StringIO())
    call_command("load_seed_content", "--update", stdout=StringIO())
    assert PublicationEvent.objects.count() == count


def test_the_seeded_news_keeps_its_historic_time(seeded):
    article = Announcement.objects.get(byline="Hoài Nga")
    assert article.publish_at == datetime(2022, 8, 3, 6, 26, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    assert article.status == Status.PUBLISHED

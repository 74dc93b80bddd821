"""The English of the two flagship articles, checked against the facts of the
content brief (/work/shared/content/content-brief.md): names, dates and
numbers present and right, corrections visible, the translation labelled."""

import html
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from events.models import Announcement

ARTICLE_2019 = "asean-huong-toi-nam-2020-voi-5-uu-tien-lon"
ARTICLE_2022 = (
    "thuc-day-hop-tac-trong-van-de-cong-vu-cac-nuoc-asean-va-3-quoc-gia-doi-tac-doi-thoai"
)


@pytest.fixture
def seeded(db):
    call_command("load_seed_content", stdout=StringIO())


def text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_both_bodies_have_english_labelled_as_the_portals_translation(seeded):
    for slug in (ARTICLE_2019, ARTICLE_2022):
        article = Announcement.objects.get(slug_vi=slug)
        assert article.body_en and article.body_vi
        assert article.english_label == "translation"
        assert article.english_state == "complete", slug
        # As many paragraphs and headings as the Vietnamese: nothing left out.
        for tag in ("<p>", "<h2>"):
            assert article.body_en.count(tag) == article.body_vi.count(tag), (slug, tag)


def test_the_2019_article_carries_the_briefs_facts(seeded):
    body = text(Announcement.objects.get(slug_vi=ARTICLE_2019).body_en)
    for fact in (
        "Decision No. 1439/QD-TTg of 29 October 2018",
        "ASEAN Declaration on the Role of the Civil Service as a Catalyst for Achieving the "
        "ASEAN Community Vision 2025",
        "Decision No. 02/BCĐ ASEAN",
        "ASEAN Information and Communication Steering Committee",
        "2019–2020",
        "ASEAN Chairmanship Year 2020",
        "three pillars",
        "Phan Thao Nguyen, Director General of the International Cooperation Department of the "
        "Ministry of Information and Communications (MIC)",
        "300 different activities",
        "“Cohesive and Responsive”",
        "five major priorities",
        "Duong Hai Hung, Deputy Director General of the ASEAN Department of the Ministry of "
        "Foreign Affairs (MOFA)",
        "Fourth Industrial Revolution",
        "Pham Thu Hang, Deputy Director General of the International Cooperation Department of "
        "the Ministry of Home Affairs (MOHA)",
        "people-oriented, people-centred and socially responsible ASEAN Community",
        "in 1981",
        "every two years",
        "three focus areas",
        "“ASEAN Citizen-Centric Civil Service”",
        "three competencies",
        "e-government",
        "one-stop shops",
    ):
        assert fact in body, fact
    for ordinal in ("First,", "Second,", "Third,", "Fourth,", "Fifth,"):
        assert body.count(ordinal) == 1, ordinal


def test_the_2022_article_carries_the_briefs_facts(seeded):
    article = Announcement.objects.get(slug_vi=ARTICLE_2022)
    body = text(article.body_en)
    for fact in (
        "Deputy Minister Vu Chien Thang",
        "Deputy Minister of Home Affairs Vu Chien Thang",
        "China, Japan and the Republic of Korea",
        "Cohesive and Responsive ASEAN Community",
        "ACCSM+3 Work Plan 2021–2025",
        "four activities",
        "Leadership in the Post-COVID-19 Era: Skills for Adapting to Uncertainty in a Changing "
        "World (2022)",
        "approved by the ACCSM on 25 February 2021",
        "23 September 2021",
        "“Skills to Adapt to the Uncertainty of a Changing World”",
        "Digital Transformation in the Civil Service (2023)",
        "Building E-Government: A Foundation for Digital Government (2023)",
        "approved by the ACCSM on 16 November 2021",
        "ACCSM+3 Forum on Good Governance (an annual activity)",
        "“Innovating the training and retraining of civil servants to meet the requirements of "
        "international integration”",
        "morning of 4 August 2022 in Hanoi",
        "ACCSM 21",
        "ACCSM focal points meeting of November 2021",
        "17th and 18th Coordinating Conference on the ASEAN Socio-Cultural Community (SOC-COM)",
        "5th Meeting of the ASEAN Working Group on the Declaration on Culture of Prevention",
        "(WG-CoP)",
        "31st and 32nd Meetings of the Senior Officials Committee for the ASEAN Socio-Cultural "
        "Community (SOCA)",
        "26th and 27th ASCC Council Meetings",
        "ASEAN Community's Post-2025 Vision",
        "Mid-Term Review of the ASCC Blueprint 2025",
        "ASEAN Comprehensive Recovery Framework (ACRF)",
        "ASEAN Plan of Action on Culture of Prevention",
        "ASEAN Comprehensive Framework on Care Economy",
        "Consolidated Strategy on the Fourth Industrial Revolution for ASEAN",
        "Sense of Regional Agendas Among the Peoples of ASEAN",
        "Timor-Leste's application for ASEAN membership",
        "non-policy-making",
        "conference on civil servant recruitment",
        "International Conference on Public Sector Human Resource Management",
        "Brunei Darussalam",
        "22nd ASEAN Cooperation on Civil Service Matters",
        "“Strengthening ASEAN Public Sector: Fit for the Future”",
        "ACCSM Work Plan 2021–2025",
    ):
        assert fact in body, fact
    assert "Darusssalam" not in body
    assert article.byline == "Hoài Nga"


def test_the_sources_errors_are_corrected_in_the_open(seeded):
    article = Announcement.objects.get(slug_vi=ARTICLE_2022)
    # The source's misspelling is corrected in both languages, and said so.
    assert "Darusssalam" not in article.body_vi
    assert "Brunei Darussalam" in article.body_vi
    for note in (article.editorial_note_vi, article.editorial_note_en):
        assert "Darusssalam" in note and "Darussalam" in note
        assert "ASEAN+3 lần thứ 6" in note
    # The minister's words stay as published; the note says what the meeting was.
    assert "Hội nghị cấp cao ASEAN+3 lần thứ 6" in article.body_vi
    assert "Senior Officials' Meeting (SOM+3), not a Summit" in article.editorial_note_en
    assert "“6th ASEAN+3 Summit”: see the editor's note" in article.body_en


def test_each_article_is_linked_to_its_meeting_both_ways(seeded, client):
    for slug, meeting_en in (
        (ARTICLE_2019, "Conference on Viet Nam's ASEAN Chairmanship 2020"),
        (ARTICLE_2022, "6th Senior Officials' Meeting for ASEAN Plus Three Cooperation"),
    ):
        article = Announcement.objects.get(slug_vi=slug)
        assert article.meeting is not None
        for language in ("vi", "en"):
            with translation.override(language):
                article_url = article.get_absolute_url()
                meeting_url = article.meeting.get_absolute_url()
            article_html = client.get(article_url).content.decode()
            assert f'href="{meeting_url}"' in article_html, (slug, language)
            meeting_html = client.get(meeting_url).content.decode()
            assert f'href="{article_url}"' in meeting_html, (slug, language)
            if language == "en":
                assert meeting_en in html.unescape(article_html)

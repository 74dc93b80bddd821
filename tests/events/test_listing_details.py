"""Meeting and news lists: undated meetings sort last on every database and say so;
the Focus filter names its choices."""

from datetime import date

from tests import factories


def test_undated_meetings_come_last_and_say_date_to_be_announced(client):
    undated = factories.meeting(title_en="Undated meeting", title_vi="Hội nghị chưa có ngày")
    older = factories.meeting(start_date=date(2021, 9, 29))
    newer = factories.meeting(start_date=date(2022, 8, 3))
    response = client.get("/en/meetings/")
    assert [m.pk for m in response.context["page"]] == [newer.pk, older.pk, undated.pk]
    html = response.content.decode()
    assert "Date to be announced" in html[html.index("Undated meeting") :]
    vi = client.get("/vi/hoi-nghi/").content.decode()
    assert "Ngày sẽ được thông báo sau" in vi
    data = client.get("/api/meetings/").json()
    assert [row["id"] for row in data["results"]] == [newer.pk, older.pk, undated.pk]


def test_an_undated_meeting_shows_its_date_note_instead_of_an_announcement_to_come(client):
    """A past meeting whose sources give only its month, or no date, says so,
    in the lists, on its page and among a meeting's related meetings; it is
    not "to be announced"."""
    month = factories.meeting(
        title_en="Focal points meeting",
        date_note_vi="tháng 11/2021",
        date_note_en="November 2021",
    )
    unknown = factories.meeting(
        title_en="Coordinating conference",
        date_note_vi="chưa rõ ngày",
        date_note_en="",
    )
    host = factories.meeting(start_date=date(2022, 8, 3))
    host.related_meetings.add(month, unknown)
    english = client.get("/en/meetings/").content.decode()
    assert "November 2021" in english
    assert '<span lang="vi">Chưa rõ ngày</span>' in english
    vi = client.get("/vi/hoi-nghi/").content.decode()
    assert "Tháng 11/2021" in vi and "Chưa rõ ngày" in vi
    assert "Ngày sẽ được thông báo sau" not in vi
    page = client.get(month.get_absolute_url()).content.decode()
    assert "<dd> Tháng 11/2021 </dd>" in " ".join(page.split())
    assert "Ngày sẽ được thông báo sau" not in page
    related = client.get(host.get_absolute_url()).content.decode()
    assert "Tháng 11/2021" in related and "Chưa rõ ngày" in related


def test_the_focus_filter_offers_all_news_rather_than_unknown(client):
    for url, words in (
        ("/en/news/", ["All news", "Focus items only", "Items not in Focus"]),
        ("/vi/tin-tuc/", ["Tất cả tin tức", "Chỉ tin tiêu điểm", "Tin không thuộc tiêu điểm"]),
    ):
        html = client.get(url).content.decode()
        select = html[
            html.index('name="focus"') : html.index("</select>", html.index('name="focus"'))
        ]
        assert "Unknown" not in select and "Không rõ" not in select
        for word in words:
            assert f">{word}</option>" in select, (url, word)

"""Search: both languages, diacritics ignored, ranked, filtered, paginated,
never an error; on whichever database the suite runs (CI runs it on both)."""

import unicodedata
from datetime import timedelta
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from asean_portal.core.publishing import Status
from asean_portal.site import search
from events.models import Announcement
from tests import factories


@pytest.fixture
def seeded():
    call_command("load_seed_content", stdout=StringIO())


def titles(response):
    return [
        hit["title"].replace("<mark>", "").replace("</mark>", "")
        for hit in response.context["hits"]
    ]


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Công vụ", "cong vu"),
        ("ĐÔNG TIMOR", "dong timor"),
        ("Hợp tác", "hop tac"),
        ("Điện", "dien"),
    ],
)
def test_normalize_folds_vietnamese(text, folded):
    assert search.normalize(text) == folded


def test_highlight_keeps_accents_and_marks_matches():
    snippet = search.highlight("Hợp tác trong vấn đề công vụ các nước ASEAN", ["cong", "vu"])
    assert "<mark>công</mark> <mark>vụ</mark>" in snippet


def test_highlight_escapes_html():
    assert "&lt;script&gt;" in search.highlight("<script>công</script>", ["cong"])


def test_cong_vu_finds_cong_vu(client, seeded):
    response = client.get("/vi/tim-kiem/", {"q": "cong vu"})
    assert response.status_code == 200
    found = titles(response)
    assert (
        "Thúc đẩy hợp tác trong vấn đề công vụ các nước ASEAN và 3 quốc gia đối tác đối thoại"
        in found
    )
    assert "<mark>công</mark> <mark>vụ</mark>" in response.content.decode()


def test_dong_timor_finds_dong_timor_with_d_as_d(client, seeded):
    response = client.get("/en/search/", {"q": "dong timor"})
    found = titles(response)
    assert found, "nothing found"
    assert any("6th Senior Officials" in title for title in found), found
    # The words matched only in the Vietnamese text, so that is what is quoted,
    # and said to be.
    html = response.content.decode()
    assert '<p><span lang="vi">' in html
    assert '</span> <span class="language-mark">In Vietnamese</span></p>' in html
    assert "<mark>Đông</mark> <mark>Timor</mark>" in response.content.decode()


def test_english_words_find_content_too(client, seeded):
    found = titles(client.get("/en/search/", {"q": "Cohesive Responsive"}))
    assert "Cohesive and Responsive" in found


def test_accented_query_matches_unaccented_index(client, seeded):
    assert titles(client.get("/vi/tim-kiem/", {"q": "ĐÔNG TIMOR"})) == titles(
        client.get("/vi/tim-kiem/", {"q": "dong timor"})
    )


def test_a_snippet_keeps_the_paragraphs_of_the_text_apart(client):
    factories.announcement(
        title_vi="Hội nghị",
        lead_vi="",
        body_vi="<p>Khép lại ACCSM&nbsp;21.</p><p>Tại cuộc họp, các nước</p><ul><li>thống "
        "nhất</li><li>kế hoạch</li></ul>",
    )
    html = client.get("/vi/tim-kiem/", {"q": "cuộc họp"}).content.decode()
    assert "Khép lại ACCSM 21. Tại <mark>cuộc</mark> <mark>họp</mark>, các nước thống nhất " in (
        html
    )


def test_title_matches_rank_first(client):
    category = factories.category()
    body_only = factories.announcement(
        category=category, title_vi="Tin khác", body_vi="<p>Chuyển đổi số.</p>"
    )
    in_title = factories.announcement(category=category, title_vi="Chuyển đổi số trong nền công vụ")
    found = titles(client.get("/vi/tim-kiem/", {"q": "chuyen doi so"}))
    assert found.index(in_title.title_vi) < found.index(body_only.title_vi)


def test_only_live_content_is_found(client):
    now = timezone.now()
    factories.announcement(title_vi="Hội thảo minh bạch công khai")
    factories.announcement(title_vi="Hội thảo minh bạch nháp", status=Status.DRAFT)
    factories.announcement(
        title_vi="Hội thảo minh bạch hẹn giờ",
        status=Status.SCHEDULED,
        publish_at=now + timedelta(days=1),
    )
    factories.announcement(
        title_vi="Hội thảo minh bạch đã gỡ",
        publish_at=now - timedelta(days=2),
        unpublish_at=now - timedelta(days=1),
    )
    assert titles(client.get("/vi/tim-kiem/", {"q": "minh bach"})) == [
        "Hội thảo minh bạch công khai"
    ]


def test_filters_by_type_and_year(client, seeded):
    all_hits = titles(client.get("/vi/tim-kiem/", {"q": "asean"}))
    documents = client.get("/vi/tim-kiem/", {"q": "asean", "type": "document"}).context["hits"]
    assert documents and all(hit["kind_code"] == "document" for hit in documents)
    in_2017 = client.get("/vi/tim-kiem/", {"q": "asean", "year": "2017"}).context["hits"]
    assert in_2017 and all(hit["year"] == 2017 for hit in in_2017)
    assert len(all_hits) > len(in_2017)


def test_results_are_paginated(client):
    category = factories.category()
    for number in range(25):
        factories.announcement(category=category, title_vi=f"Đào tạo công chức số {number}")
    first = client.get("/vi/tim-kiem/", {"q": "dao tao"})
    assert first.context["page"].paginator.count == 25
    assert len(first.context["hits"]) == 20
    second = client.get("/vi/tim-kiem/", {"q": "dao tao", "page": "2"})
    assert len(second.context["hits"]) == 5
    assert set(titles(first)).isdisjoint(titles(second))


def test_updates_and_deletes_reach_the_index(client):
    item = factories.announcement(title_vi="Tiêu đề ban đầu")
    item.title_vi = "Tiêu đề sau khi sửa"
    item.save()
    assert titles(client.get("/vi/tim-kiem/", {"q": "sau khi sua"})) == ["Tiêu đề sau khi sửa"]
    assert titles(client.get("/vi/tim-kiem/", {"q": "ban dau"})) == []
    item.delete()
    assert titles(client.get("/vi/tim-kiem/", {"q": "sau khi sua"})) == []


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "x" * 10000,
        "công vụ\x00",
        "!!! ??? ...",
        "' OR 1=1 --",
        "a & | ! :* <-> (",
        "%_%",
        "<script>alert(1)</script>",
        "😀 ASEAN",
    ],
)
@pytest.mark.parametrize("language", ["vi", "en"])
def test_odd_queries_get_a_helpful_page(client, seeded, query, language):
    response = client.get(
        f"/{language}/{'tim-kiem' if language == 'vi' else 'search'}/", {"q": query}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html


@pytest.mark.parametrize(
    "params",
    [
        {"type": "nonsense"},
        {"year": "99999"},
        {"year": "abc"},
        {"year": "²²²²"},
        {"page": "-1"},
        {"page": "abc"},
        {"page": "99999"},
    ],
)
def test_odd_filters_are_explained_not_fatal(client, seeded, params):
    response = client.get("/vi/tim-kiem/", {"q": "asean", **params})
    assert response.status_code == 200
    assert response.context["hits"]


def test_long_queries_are_shortened_with_a_notice(client, seeded):
    response = client.get("/en/search/", {"q": "asean " * 100})
    assert "shortened" in response.content.decode()


def test_postgresql_uses_the_gin_index_and_unaccent():
    if connection.vendor != "postgresql":
        pytest.skip("only meaningful on PostgreSQL; CI runs the suite there too")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = %s",
            ["asean_portal_searchentry_vector_gin"],
        )
        assert "gin" in cursor.fetchone()[0].lower()
        cursor.execute("SELECT portal_unaccent('Đông Timor công vụ')")
        assert cursor.fetchone()[0] == "Dong Timor cong vu"


def test_rebuild_indexes_bulk_inserted_rows(client):
    category = factories.category()
    Announcement.objects.bulk_create(
        [
            Announcement(
                title_vi="Nhập hàng loạt",
                slug_vi="nhap-hang-loat",
                category=category,
                status=Status.PUBLISHED,
                publish_at=timezone.now(),
            )
        ]
    )
    assert titles(client.get("/vi/tim-kiem/", {"q": "hang loat"})) == []
    call_command("rebuild_search_index", stdout=StringIO())
    assert titles(client.get("/vi/tim-kiem/", {"q": "hang loat"})) == ["Nhập hàng loạt"]


def unnumbered_category():
    """A category whose name has no number: the factories' numbers grow with
    every test run before, and a query's number would find them (so would the
    factories' English titles, which these tests give)."""
    return factories.category(name_vi="Chuyên mục thử", name_en="Test category")


def test_a_word_found_everywhere_ranks_the_newest_matches_and_says_so(client, monkeypatch):
    monkeypatch.setattr(search, "MAX_RESULTS", 3)
    category = unnumbered_category()
    now = timezone.now()
    old_in_title = factories.announcement(
        category=category,
        title_vi="Cải cách hành chính",
        title_en="Administrative reform",
        publish_at=now - timedelta(days=30),
    )
    newest = [
        factories.announcement(
            category=category,
            title_vi=f"Tin số {number}",
            title_en=f"News item {number}",
            body_vi="<p>Cải cách hành chính.</p>",
            publish_at=now - timedelta(days=number),
        )
        for number in range(1, 5)
    ]
    response = client.get("/vi/tim-kiem/", {"q": "cai cach"})
    assert titles(response) == [item.title_vi for item in newest[:3]]
    assert old_in_title.title_vi not in titles(response)
    assert "3 kết quả mới nhất" in response.content.decode()
    assert "the 3 newest are shown" in client.get("/en/search/", {"q": "cai cach"}).content.decode()
    # A filter that leaves fewer matches counts them all.
    response = client.get("/vi/tim-kiem/", {"q": "cai cach hanh chinh so 1"})
    assert titles(response) == [newest[0].title_vi]
    assert "1 kết quả" in response.content.decode()


def test_an_entry_is_never_shown_without_its_object_being_live(client):
    item = factories.announcement(title_vi="Thông cáo minh bạch")
    # A change that bypasses save() leaves the entry's window behind.
    Announcement.objects.filter(pk=item.pk).update(status=Status.DRAFT)
    response = client.get("/vi/tim-kiem/", {"q": "minh bach"})
    assert response.status_code == 200
    assert titles(response) == []


def test_the_window_follows_the_item_through_its_schedule(client):
    import time_machine

    now = timezone.now().replace(microsecond=0)
    item = factories.announcement(
        title_vi="Hội nghị lịch hẹn",
        status=Status.SCHEDULED,
        publish_at=now + timedelta(hours=1),
        unpublish_at=now + timedelta(hours=2),
    )
    for moment, expected in [
        (now, []),
        (now + timedelta(hours=1), [item.title_vi]),
        (now + timedelta(hours=2), []),
    ]:
        with time_machine.travel(moment, tick=False):
            assert titles(client.get("/vi/tim-kiem/", {"q": "lich hen"})) == expected


def test_a_child_is_found_only_while_its_parent_is_public(client):
    """An activity of a draft work plan is not public: neither its result
    nor the count shows it, until its plan goes live (by a save or at its
    scheduled time, worker or not)."""
    import time_machine

    now = timezone.now().replace(microsecond=0)
    plan = factories.work_plan(status=Status.DRAFT, publish_at=None)
    factories.activity(work_plan=plan, title_vi="Hoạt động mồ côi")

    def found():
        response = client.get("/vi/tim-kiem/", {"q": "mo coi"})
        return response.context["page"].paginator.count, titles(response)

    assert found() == (0, [])
    plan.status, plan.publish_at = Status.SCHEDULED, now + timedelta(hours=1)
    plan.save()
    with time_machine.travel(now + timedelta(minutes=59), tick=False):
        assert found() == (0, [])
    with time_machine.travel(now + timedelta(hours=1), tick=False):
        assert found() == (1, ["Hoạt động mồ côi"])
    plan.status, plan.publish_at = Status.DRAFT, None
    plan.save()
    assert found() == (0, [])


def test_the_migration_fills_the_windows_of_existing_entries():
    from importlib import import_module

    from django.db.migrations.loader import MigrationLoader

    migration = import_module("asean_portal.migrations.0006_search_entry_window")
    # The models as the migration sees them, not as they are today.
    state = MigrationLoader(connection).project_state(("asean_portal", "0006_search_entry_window"))
    apps = state.apps
    now = timezone.now()
    items = [
        factories.announcement(),
        factories.announcement(status=Status.DRAFT, publish_at=None),
        factories.announcement(
            status=Status.SCHEDULED,
            publish_at=now + timedelta(days=1),
            unpublish_at=now + timedelta(days=2),
        ),
        factories.meeting(),
    ]
    expected = {
        (item.pk, type(item).__name__): (
            search.entry_values(item)["live_from"],
            search.entry_values(item)["live_until"],
        )
        for item in items
    }
    search.SearchEntry.objects.update(live_from=None, live_until=None)
    # What the migration uses of its schema editor (SQLite's cannot open
    # inside the test's transaction).
    editor = SimpleNamespace(connection=connection, execute=connection.cursor().execute)
    migration.fill_windows(apps, editor)
    found = {
        (entry.object_id, entry.content_type.model_class().__name__): (
            entry.live_from,
            entry.live_until,
        )
        for entry in search.SearchEntry.objects.select_related("content_type")
    }
    assert {key: found[key] for key in expected} == expected
    assert expected[(items[1].pk, "Announcement")] == (None, None)


def test_results_are_read_a_page_at_a_time_in_rank_order(django_assert_num_queries):
    category = factories.category()
    now = timezone.now()
    older_in_title = factories.announcement(
        category=category, title_vi="Nhân lực số", publish_at=now - timedelta(days=3)
    )
    newer_body_only = factories.announcement(
        category=category,
        title_vi="Tin khác",
        body_vi="<p>Nhân lực số.</p>",
        publish_at=now - timedelta(days=1),
    )
    newest_in_title = factories.announcement(
        category=category, title_vi="Nhân lực số mới", publish_at=now - timedelta(days=2)
    )
    # On PostgreSQL, the statistics of the words first (see the next test).
    with django_assert_num_queries(2 if connection.vendor == "postgresql" else 1):
        results, _terms = search.search("nhan luc so")
    expected = [newest_in_title.pk, older_in_title.pk, newer_body_only.pk]
    with django_assert_num_queries(1):
        assert [entry.object_id for entry in results[0:3]] == expected
    assert len(results) == 3
    assert results[0].object_id == expected[0]
    assert results[-1].object_id == expected[-1]


def test_common_words_read_the_newest_entries_and_fall_back_when_too_few_match(monkeypatch):
    """The newest MAX_RESULTS matches, best first, whichever way PostgreSQL
    finds them: by reading the newest entries in order (common words), and
    planned as usual when those hold too few matches."""
    monkeypatch.setattr(search, "MAX_RESULTS", 2)
    monkeypatch.setattr(search, "WALK_LIMIT", 2)  # the 4 newest entries
    monkeypatch.setattr(search, "_rarest_word_share", lambda terms: 1.0)
    category = unnumbered_category()
    now = timezone.now()

    def item(days, title="Quản trị công khai", body=""):
        return factories.announcement(
            category=category,
            title_vi=title,
            title_en="",
            body_vi=body,
            body_en="",
            publish_at=now - timedelta(days=days),
        )

    def found(query):
        with CaptureQueriesContext(connection) as queries:
            results, _terms = search.search(query)
        searches = [sql["sql"] for sql in queries.captured_queries if "@@" in sql["sql"]]
        return [entry.object_id for entry in results[:]], searches

    body_only = item(1, title="Tin thứ nhất", body="<p>Quản trị công khai.</p>")
    newer = item(2)
    item(3, title="Tin khác")
    older = item(4)
    oldest = item(10)
    # The two newest matches, best first: found among the four newest entries.
    ids, searches = found("quan tri cong khai")
    assert ids == [newer.pk, body_only.pk]
    if connection.vendor == "postgresql":
        assert len(searches) == 1 and " recent " in searches[0]
    monkeypatch.setattr(search, "MAX_RESULTS", 3)  # the six newest entries: all
    ids, searches = found("quan tri cong khai")
    assert ids == [newer.pk, older.pk, body_only.pk]
    monkeypatch.setattr(search, "MAX_RESULTS", 4)
    monkeypatch.setattr(search, "WALK_LIMIT", 1)
    # The four newest entries hold three matches: planned as usual.
    ids, searches = found("quan tri cong khai")
    assert ids == [newer.pk, older.pk, oldest.pk, body_only.pk]
    if connection.vendor == "postgresql":
        assert len(searches) == 2 and " recent " not in searches[1]


def test_the_share_of_the_rarest_word_comes_from_the_statistics(monkeypatch):
    category = unnumbered_category()
    for number in range(20):
        factories.announcement(
            category=category,
            title_vi="Quản trị công khai" if number % 4 else "Quản trị",
            title_en="",
            body_vi="",
            body_en="",
        )
    if connection.vendor != "postgresql":
        # Without PostgreSQL there is no plan to choose and nothing to ask.
        monkeypatch.setattr(search, "_rarest_word_share", None)
        assert len(search.search("quan tri cong khai")[0]) == 15
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE asean_portal_searchentry")
    assert search._rarest_word_share(["quan", "tri"]) == pytest.approx(1, abs=0.01)
    # Every word that starts with the prefix counts ("quan" for "qu").
    assert search._rarest_word_share(["qu"]) >= search._rarest_word_share(["quan"])
    assert search._rarest_word_share(["quan", "cong", "tri"]) == pytest.approx(0.75, abs=0.01)
    assert search._rarest_word_share(["quan", "vang"]) == 0
    assert search._rarest_word_share(["ʼ", "'", "\\", "%"]) == 0


def test_the_statistics_are_read_once_for_the_same_words_in_any_order():
    factories.announcement(title_vi="Quản trị công khai")
    with CaptureQueriesContext(connection) as queries:
        for query in ("quan tri cong", "cong quan tri", "tri cong quan"):
            assert len(search.search(query)[0]) == 1
        search.search("quan tri")
    reads = [query["sql"] for query in queries.captured_queries if "pg_stats" in query["sql"]]
    # Without PostgreSQL there are no statistics, nor a plan to choose.
    assert len(reads) == (2 if connection.vendor == "postgresql" else 0)


def test_a_page_of_results_reads_neither_the_vector_nor_the_folded_texts():
    factories.announcement(title_vi="Nhân lực số", body_vi="<p>Nhân lực số.</p>")
    results, _terms = search.search("nhan luc so")
    assert {"vector", "plain", "title_plain"} <= results[0].get_deferred_fields()
    assert results[0].body_vi == "Tóm tắt. Nhân lực số."


def vector_storage():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute"
            " WHERE attrelid = 'asean_portal_searchentry'::regclass AND attname = 'vector'"
        )
        return cursor.fetchone()[0]


def test_the_vector_is_kept_in_the_row_and_existing_entries_move_there(client):
    """Migration 0017 on PostgreSQL: storage MAIN, and every vector written
    again (by the trigger) so that it moves; nothing to do elsewhere."""
    from importlib import import_module

    migration = import_module("asean_portal.migrations.0017_search_vector_inline")
    executed = []
    editor = SimpleNamespace(connection=connection, execute=executed.append)
    if connection.vendor != "postgresql":
        migration.forward(None, editor)
        migration.backward(None, editor)
        assert executed == []
        return
    assert vector_storage() == "m"
    item = factories.announcement(title_vi="Chuyển đổi số", body_vi="<p>Nhân lực số.</p>")
    cursor = connection.cursor()
    # ALTER TABLE waits for no foreign key check left for the commit.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    editor = SimpleNamespace(connection=connection, execute=cursor.execute)
    migration.backward(None, editor)
    assert vector_storage() == "x"
    search.SearchEntry.objects.update(vector=None)
    migration.forward(None, editor)
    assert vector_storage() == "m"
    # The trigger wrote every vector again.
    assert not search.SearchEntry.objects.filter(vector=None).exists()
    found = titles(client.get("/vi/tim-kiem/", {"q": "nhan luc"}))
    assert found == [item.title_vi]


def test_normalize_keeps_positions_of_precomposed_text_and_folds_decomposed_text():
    text = "Hội nghị Bộ trưởng ASEAN về Công vụ lần thứ 21 tại Đà Nẵng – ĐÔNG TIMOR"
    folded = search.normalize(text)
    assert folded == "hoi nghi bo truong asean ve cong vu lan thu 21 tai da nang – dong timor"
    assert len(folded) == len(text)
    assert search.normalize(unicodedata.normalize("NFD", text)) == folded
    assert search.normalize(None) == ""


# Characters that NFKC or PostgreSQL's unaccent may rewrite, some of them into
# tsquery syntax: modifier letters (ʼ → '), compatibility forms (⑴ → (1),
# ﬁ → fi, full-width letters), quotes and combining marks.
FOLDED_CHARACTERS = sorted(
    {
        chr(code)
        for code in range(0x3400)
        if unicodedata.category(chr(code)) in {"Lm", "Sk", "Mn", "No", "Pi", "Pf", "Po"}
        or unicodedata.normalize("NFKC", chr(code)) != chr(code)
    }
    | {chr(code) for code in range(0xFB00, 0xFFF0)}
)
ANY_CHARACTER = st.characters(exclude_categories=("Cs",))


@pytest.fixture
def odd_content():
    category = unnumbered_category()
    factories.announcement(
        category=category,
        title_vi="Công vụ ʼ ⑴ ﬁ ǅ ① ＇",
        title_en="Civil service",
        body_vi="<p>It's a\\b.</p>",
    )
    factories.announcement(category=category, title_vi="Hợp tác công vụ", title_en="Cooperation")


def test_a_letter_that_unaccent_makes_an_apostrophe_still_finds_the_other_words(
    client, odd_content
):
    found = titles(client.get("/vi/tim-kiem/", {"q": "công ʼ ⑴"}))
    assert found == ["Công vụ ʼ ⑴ ﬁ ǅ ① ＇"]


@hypothesis_settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    query=st.one_of(
        st.text(alphabet=ANY_CHARACTER, max_size=12),
        st.text(alphabet=st.sampled_from(FOLDED_CHARACTERS), min_size=1, max_size=6),
        st.lists(
            st.one_of(st.sampled_from(["cong", "vu", "hop"]), st.sampled_from(FOLDED_CHARACTERS)),
            min_size=1,
            max_size=6,
        ).map("".join),
    )
)
@example("ʼ")
@example("'")
@example("\\")
@example(":*")
@example("&|!()")
@example("ﬁ")
@example("ǅ")
@example("①")
@example("⑴")
@example("ŉ")
@example("ː")
@example("ʹ ʻ ʽ ˈ \u0374 ⒇")
@example("＇")
@example("‘’")
@example("e\u0301\u0323")
@example("\u0301")
@example("\x00")
@example("công ʼ vụ ⑴ x\\ y' z:*")
def test_any_text_gets_a_search_page_in_the_readers_language(client, odd_content, query):
    for language, path in [("vi", "/vi/tim-kiem/"), ("en", "/en/search/")]:
        response = client.get(path, {"q": query})
        assert response.status_code == 200, (language, query)
        assert f'<html lang="{language}"' in response.content.decode()
    results, _terms = search.search(query)
    assert len(results[:20]) == min(20, len(results))

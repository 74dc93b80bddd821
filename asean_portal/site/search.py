"""Site search across every content type, in both languages, ignoring
Vietnamese diacritics ("cong vu" finds "công vụ", "dong timor" finds
"Đông Timor").

Each searchable object has one SearchEntry holding its text in both languages.
On PostgreSQL a trigger (see migration 0004) keeps a tsvector of the
unaccented text, in the entry's row (migration 0017), searched through a GIN
index or tested entry by entry while reading the newest first; on SQLite the
entry's normalized text is searched with LIKE.

An entry carries its object's publication window (live_from, live_until),
so a search reads one table. Results are ranked among the MAX_RESULTS newest
matches, so that a word found in every item costs the same as a rare one.
The objects shown are still fetched through each model's live(): an entry
whose object is not public is never shown.
"""

import hashlib
import operator
import re
import unicodedata
from collections.abc import Sequence
from functools import reduce

from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.core.cache import cache
from django.db import connection, models
from django.db.models import Case, F, Func, IntegerField, Value, When
from django.db.models.functions import Coalesce, Concat, Replace
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from asean_portal.core import richtext
from asean_portal.core.content import LANGUAGES
from asean_portal.core.declarations import searchable_models
from asean_portal.core.publishing import parent_paths, window_q

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
BODY_LIMIT = 20000
MAX_RESULTS = 1000
# How many of the newest entries a search reads in order, per result it keeps,
# when its words are common (see _ranked_postgresql).
WALK_LIMIT = 15
SNIPPET_LENGTH = 240


# Every combining mark of the Basic Multilingual Plane: what NFD splits off a
# letter (Vietnamese tone and vowel marks among them).
_COMBINING = re.compile(
    "["
    + "".join(re.escape(chr(code)) for code in range(0x10000) if unicodedata.combining(chr(code)))
    + "]"
)


def normalize(text):
    """Lower case, without diacritics, đ as d; a precomposed letter stays one
    character, so positions in the result are positions in ``text``."""
    decomposed = unicodedata.normalize("NFD", text or "")
    return _COMBINING.sub("", decomposed).lower().replace("đ", "d")


def word_index(text):
    """Folded words separated by single spaces, starting with a space, so that
    ' ' + word finds a word that starts with it (as PostgreSQL's prefix match)."""
    return " " + " ".join(re.findall(r"\w+", normalize(text)))


def plain_text(value):
    """A field's text for the index, its blocks separated by a space."""
    return " ".join(richtext.plain_text(value).split())[:BODY_LIMIT]


def query_terms(query):
    """The words of a query: letters and digits only, at most MAX_TERMS."""
    cleaned = (query or "").replace("\x00", " ")[:MAX_QUERY_LENGTH]
    terms = []
    for word in re.findall(r"\w+", cleaned):
        folded = normalize(word)
        if folded and folded not in terms:
            terms.append(folded)
    return terms[:MAX_TERMS]


def highlight(text, terms, length=SNIPPET_LENGTH):
    """A snippet of ``text`` around the first match, with every match of any
    term wrapped in <mark>; accents are kept, matching ignores them."""
    text = text or ""
    folded = normalize(text)
    if len(folded) != len(text):  # a character folded to several: match without marks
        return escape(text[:length])
    spans = []
    for term in terms:
        for match in re.finditer(r"(?<!\w)" + re.escape(term), folded):
            spans.append((match.start(), match.end()))
    spans.sort()
    phrase = re.search(r"(?<!\w)" + r"\W+".join(map(re.escape, terms)), folded) if terms else None
    anchor = phrase.start() if phrase else (spans[0][0] if spans else 0)
    start = max(0, anchor - length // 3)
    if start:
        space = text.rfind(" ", 0, start)
        start = space + 1 if space >= 0 else start
    end = min(len(text), start + length)
    pieces, cursor = [], start
    for span_start, span_end in spans:
        if span_start < cursor or span_end > end:
            continue
        pieces.append(escape(text[cursor:span_start]))
        pieces.append(f"<mark>{escape(text[span_start:span_end])}</mark>")
        cursor = span_end
    pieces.append(escape(text[cursor:end]))
    prefix = "… " if start else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(prefix + "".join(pieces) + suffix)


def kinds():
    """{kind: label} of every searchable type, for the type filter."""
    return {model.search_index.kind: model.search_index.label for model in searchable_models()}


class SearchEntry(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=20, db_index=True)
    year = models.PositiveSmallIntegerField(null=True, db_index=True)
    date = models.DateTimeField(null=True)
    title_vi = models.TextField(blank=True)
    title_en = models.TextField(blank=True)
    body_vi = models.TextField(blank=True)
    body_en = models.TextField(blank=True)
    # Lower case, without diacritics: what SQLite searches.
    title_plain = models.TextField(blank=True)
    plain = models.TextField(blank=True)
    # PostgreSQL only: kept by a trigger, searched through a GIN index.
    vector = SearchVectorField(null=True, editable=False)
    # The object's publication window: publish_at while its status is live
    # (empty otherwise), and unpublish_at.
    live_from = models.DateTimeField(null=True)
    live_until = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="unique_entry")
        ]
        indexes = [models.Index(fields=["-live_from", "-id"], name="search_entry_newest")]

    def __str__(self):
        return self.title_vi


def entry_values(obj):
    """The entry of an object, as its model's search_index describes it."""
    index = type(obj).search_index

    def pair(names):
        return tuple(
            " ".join(plain_text(getattr(obj, f"{name}_{lang}", "")) for name in names).strip()
            for lang in LANGUAGES
        )

    prefix = index.title_prefix(obj)
    title = tuple(f"{prefix} {part}" if prefix else part for part in pair(index.title))
    body = pair(index.body)
    live_from, live_until = obj.public_window()
    return {
        "kind": index.kind,
        "year": index.year(obj),
        "date": obj.publish_at,
        "live_from": live_from,
        "live_until": live_until,
        **{f"title_{language}": text for language, text in zip(LANGUAGES, title, strict=True)},
        **{f"body_{language}": text for language, text in zip(LANGUAGES, body, strict=True)},
        "title_plain": word_index(" ".join(title)),
        "plain": word_index(" ".join(title + body)),
    }


def index_object(obj):
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    SearchEntry.objects.update_or_create(
        content_type=content_type, object_id=obj.pk, defaults=entry_values(obj)
    )


def index_children(obj):
    """Index again the objects whose public parent ``obj`` is: their entries
    carry its publication window."""
    for model in searchable_models():
        for name in getattr(model, "public_parents", ()):
            if model._meta.get_field(name).related_model is type(obj):
                children = model._default_manager.filter(**{name: obj}).select_related(
                    *model.search_index.related, *parent_paths(model)
                )
                for child in children:
                    index_object(child)


def unindex_object(obj):
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    SearchEntry.objects.filter(content_type=content_type, object_id=obj.pk).delete()


def rebuild(models_to_index=None, batch_size=2000):
    """Index every object of the given models again (after bulk inserts)."""
    total = 0
    for model in models_to_index or searchable_models():
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        SearchEntry.objects.filter(content_type=content_type).delete()
        queryset = model._default_manager.order_by("pk").select_related(
            *model.search_index.related, *parent_paths(model)
        )
        batch = []
        for obj in queryset.iterator(chunk_size=batch_size):
            batch.append(
                SearchEntry(content_type=content_type, object_id=obj.pk, **entry_values(obj))
            )
            if len(batch) >= batch_size:
                SearchEntry.objects.bulk_create(batch)
                total += len(batch)
                batch = []
        SearchEntry.objects.bulk_create(batch)
        total += len(batch)
    return total


def live_entries(now=None):
    """Entries inside their publication window (the window of live())."""
    return SearchEntry.objects.filter(window_q(now or timezone.now(), "live_from", "live_until"))


def search(query, kind=None, year=None, now=None):
    """Entries matching every word of ``query``: the MAX_RESULTS newest
    matches, best first (higher rank, then newer), as a sequence that reads
    entries a page at a time."""
    terms = query_terms(query)
    entries = live_entries(now)
    if kind:
        entries = entries.filter(kind=kind)
    if year:
        entries = entries.filter(year=year)
    if not terms:
        return Ranked([]), terms
    if connection.vendor == "postgresql":
        return Ranked(_ranked_postgresql(entries, _tsquery(terms), terms)), terms
    for term in terms:
        entries = entries.filter(plain__contains=f" {term}")
    newest = entries.order_by("-live_from", "-id").values("pk")[:MAX_RESULTS]
    ranked = (
        SearchEntry.objects.filter(pk__in=newest)
        .annotate(rank=_title_hits(terms))
        .order_by("-rank", F("date").desc(nulls_last=True), "-pk")
    )
    return Ranked(list(ranked.values_list("pk", flat=True))), terms


def _ranked_postgresql(entries, query, terms):
    """The ids of the newest matches, best first.

    PostgreSQL's statistics know how often each word occurs: for one word,
    the planner reads the newest entries in order until MAX_RESULTS match
    when the word is common, and takes the matches from the GIN index when
    it is rare. But it multiplies the frequencies of several words as if they
    were independent, while words searched together tend to come together
    ("chuyển đổi số"): it would then sort every match by date. So when even
    the rarest word of a query is common, the newest entries are read in
    order, at most WALK_LIMIT × MAX_RESULTS of them, until MAX_RESULTS
    match; only if too few do, the query is planned as usual."""
    # The tsquery's SQL names no table: the same for every statement below.
    query_sql, query_params = _compile(entries, query)
    if len(terms) > 1 and rarest_word_share(terms) * WALK_LIMIT >= 1:
        walked = entries.order_by("-live_from", "-id").values_list(
            "id", "date", "vector", "live_from"
        )[: WALK_LIMIT * MAX_RESULTS]
        walked_sql, walked_params = walked.query.sql_with_params()
        ids = _ranked(
            f"SELECT recent.id, recent.date, recent.vector FROM ({walked_sql}) recent "
            f"WHERE recent.vector @@ {query_sql} "
            "ORDER BY recent.live_from DESC, recent.id DESC LIMIT %s",
            (*walked_params, *query_params, MAX_RESULTS),
            query_sql,
            query_params,
        )
        if len(ids) >= MAX_RESULTS:
            return ids
    newest = (
        entries.filter(vector=query)
        .order_by("-live_from", "-id")
        .values_list("id", "date", "vector")[:MAX_RESULTS]
    )
    newest_sql, newest_params = newest.query.sql_with_params()
    return _ranked(newest_sql, newest_params, query_sql, query_params)


def _compile(queryset, expression):
    compiler = queryset.query.get_compiler(connection=connection)
    return compiler.compile(expression.resolve_expression(queryset.query))


def _ranked(newest_sql, newest_params, query_sql, query_params):
    """The ids of the rows of ``newest_sql`` (id, date, vector), best first,
    in one statement: ranked by an outer query over the rows it keeps, so
    that ts_rank runs on those only (in the inner query, PostgreSQL would rank
    every match before the sort that keeps the newest), and no entry is read
    twice."""
    sql = (
        f"SELECT newest.id FROM ({newest_sql}) newest "
        f"ORDER BY ts_rank(newest.vector, {query_sql}) DESC, "
        "newest.date DESC NULLS LAST, newest.id DESC"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (*newest_params, *query_params))
        return [pk for (pk,) in cursor.fetchall()]


# The statistics move only when ANALYZE runs, and a share read before then
# only chooses the plan, never the results.
SHARE_SECONDS = 600


def rarest_word_share(terms):
    """_rarest_word_share, kept for SHARE_SECONDS: reading the statistics
    costs the database about as much as the search itself."""
    key = (
        "portal:search:share:"
        + hashlib.sha256("\x00".join(sorted(terms)).encode("utf-8", "surrogateescape")).hexdigest()
    )
    share = cache.get(key)
    if share is None:
        share = _rarest_word_share(terms)
        cache.set(key, share, SHARE_SECONDS)
    return share


def _rarest_word_share(terms):
    """The share of entries holding the query's rarest word (a prefix: every
    word starting with it), from the statistics ANALYZE keeps of the vector's
    most common words; 0 without statistics. An upper bound of the share of
    entries that hold them all. The words as Python folds them: should
    unaccent fold one otherwise, only the choice of plan may change."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT min(COALESCE((
                SELECT sum(common.share)
                FROM unnest(stats.most_common_elems::text::text[], stats.most_common_elem_freqs)
                  AS common(word, share)
                WHERE starts_with(common.word, term.word)
            ), 0))
            FROM unnest(%s::text[]) AS term(word), pg_stats AS stats
            WHERE stats.schemaname = current_schema()
              AND stats.tablename = %s AND stats.attname = 'vector'
            """,
            [terms, SearchEntry._meta.db_table],
        )
        (share,) = cursor.fetchone()
    return share or 0


class Ranked(Sequence):
    """Search results: the ranked ids, and their entries read a page at a time."""

    def __init__(self, ids):
        self.ids = ids

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1 or None][0]
        ids = self.ids[index]
        # What a result shows: not the vector nor the folded texts.
        found = SearchEntry.objects.defer("vector", "plain", "title_plain").in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]


def _tsquery(terms):
    """Every word as a prefix ("hop" finds "hợp tác"), unaccented as the index
    is, each a tsquery string literal: unaccent turns some letters into tsquery
    syntax (ʼ into an apostrophe, ⑴ into "(1)"), so the quoting comes after it."""
    return reduce(
        operator.and_,
        (SearchQuery(_prefix_literal(term), config="simple", search_type="raw") for term in terms),
    )


def _prefix_literal(term):
    unaccented = Func(Value(term), function="portal_unaccent", output_field=models.CharField())
    quoted = Replace(Replace(unaccented, Value("\\"), Value("\\\\")), Value("'"), Value("''"))
    # The space inside the quotes: to_tsquery refuses an empty literal ('') but
    # drops one without a word, should unaccent leave nothing of a term.
    return Concat(Value("' "), quoted, Value("':*"))


def _title_hits(terms):
    """Without PostgreSQL: how many of the words the title holds."""
    title_hits = sum(
        (
            Case(When(title_plain__contains=f" {term}", then=Value(1)), default=Value(0))
            for term in terms
        ),
        Value(0),
    )
    return Coalesce(title_hits, 0, output_field=IntegerField())

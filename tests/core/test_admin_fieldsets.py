"""Each content type's change form is laid out in labelled groups, in the
order people work: the content, relations, media, and the dates and
publication (with the English's state and the record) last, shown at the side."""

import re

import pytest
from django.utils import translation

from tests import factories
from tests.core.test_admin import MAKERS, admin_url
from tests.core.test_roles import CONTENT

GROUPS = {
    "vi": ["Nội dung", "Liên kết", "Ảnh và tệp", "Thời gian và công bố"],
    "en": ["Content", "Relations", "Media", "Dates and publication"],
}
# A field of each group, where the type has one.
EXAMPLES = {
    "events.announcement": ("title_vi", "category", "image", "publish_at"),
    "events.meeting": ("title_vi", "series", None, "start_date"),
    "priorities.chairmanship": ("theme_vi", "chair_country", None, "year"),
    "priorities.priority": ("title_vi", "chairmanship", None, "status"),
    "civil_service.workplan": ("name_vi", None, None, "first_year"),
    "civil_service.activity": ("title_vi", "work_plan", None, "start_year"),
    "civil_service.document": ("title_vi", "activity", "file", "issued_on"),
}


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("label", CONTENT)
def test_the_change_form_is_grouped_in_labelled_fieldsets(client, label, language):
    item = MAKERS[label]()
    client.force_login(factories.staff(superuser=True))
    response = client.get(admin_url(label, language, suffix=f"{item.pk}/change/"))
    with translation.override(language):
        fieldsets = [
            (str(name), options["fields"])
            for name, options in response.context["adminform"].fieldsets
        ]
    names = [name for name, _fields in fieldsets]
    # In this order, each labelled; a type without relations or media has no such group.
    assert names == [name for name in GROUPS[language] if name in names]
    assert names[0] == GROUPS[language][0] and names[-1] == GROUPS[language][-1]
    # The publication group is the one shown in the sidebar.
    sidebar = [
        str(name)
        for name, options in response.context["adminform"].fieldsets
        if "publication-sidebar" in options.get("classes", ())
    ]
    with translation.override(language):
        assert sidebar == [GROUPS[language][-1]]
    # The sidebar opens with the publication state, then the English's state;
    # the record (who created, updated, published) closes it.
    side = list(dict(fieldsets)[GROUPS[language][-1]])
    assert side[0] == "publication_state"
    assert side.index("english_state") < side.index("english_label") < side.index("created_at")
    assert side[-1] == "published_by"
    for group, field in zip(GROUPS[language], EXAMPLES[label], strict=True):
        if field is not None:
            assert field in dict(fieldsets)[group], (group, field)
    # The title comes first; no field is lost or shown twice.
    content = dict(fieldsets)[GROUPS[language][0]]
    assert content[0] in {"title_vi", "name_vi", "theme_vi", "kind", "year", "series"}
    assert not {"withdrawal_reason_vi", "english_label", "change_note_vi"} & set(content[:3])
    every = [field for _name, fields in fieldsets for field in fields]
    assert len(every) == len(set(every))
    assert "status" in every and "english_state" in every
    html = response.content.decode()
    for name in names:
        assert re.search(rf"<h2[^>]*>\s*{re.escape(name)}\s*</h2>", html), name
    # The main column holds the other groups; the sidebar, after it, the publication.
    main, _sep, side = html.partition('class="form-sidebar"')
    assert _sep, "no sidebar"
    for name in names[:-1]:
        assert re.search(rf"<h2[^>]*>\s*{re.escape(name)}\s*</h2>", main), name
    assert re.search(rf"<h2[^>]*>\s*{re.escape(names[-1])}\s*</h2>", side)

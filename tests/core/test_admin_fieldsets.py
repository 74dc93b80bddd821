"""Each content type's change form is laid out in labelled groups, in the
order people work: the content, dates and publication, relations, media."""

import re

import pytest
from django.utils import translation

from tests import factories
from tests.core.test_admin import MAKERS, admin_url
from tests.core.test_roles import CONTENT

GROUPS = {
    "vi": ["Nội dung", "Thời gian và công bố", "Liên kết", "Ảnh và tệp"],
    "en": ["Content", "Dates and publication", "Relations", "Media"],
}
# A field of each group, where the type has one.
EXAMPLES = {
    "events.announcement": ("title_vi", "publish_at", "category", "image"),
    "events.meeting": ("title_vi", "start_date", "series", None),
    "priorities.chairmanship": ("theme_vi", "year", "chair_country", None),
    "priorities.priority": ("title_vi", "status", "chairmanship", None),
    "civil_service.workplan": ("name_vi", "first_year", None, None),
    "civil_service.activity": ("title_vi", "start_year", "work_plan", None),
    "civil_service.document": ("title_vi", "issued_on", "activity", "file"),
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
    assert names[0] == GROUPS[language][0] and names[1] == GROUPS[language][1]
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

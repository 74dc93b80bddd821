"""Rich text: a WYSIWYG editor in the admin, sanitized by an allow-list on save.

The editor (django-prose-editor) only offers what the allow-list keeps, and
the model field cleans every value in ``pre_save``, so no code path (admin,
seed loader, bulk insert, shell) can store a script, an event handler, a
``javascript:`` or ``data:`` URL, an iframe or inline style.
"""

import html
import re

import nh3
from django.utils.html import strip_tags
from django_prose_editor.fields import ProseEditorField

ALLOWED_TAGS = {
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "sub",
    "sup",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "figure",
    "figcaption",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    link_rel="noopener noreferrer",
    strip_comments=True,
)

EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Underline": True,
    "Strike": True,
    "Subscript": True,
    "Superscript": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "HardBreak": True,
    "Link": {"enableTarget": False},
    "Table": True,
    "TableRow": True,
    "TableHeader": True,
    "TableCell": True,
    "History": True,
}


def sanitize_html(html):
    if not html:
        return html
    cleaned = _cleaner.clean(html)
    # An editor's empty document is one empty paragraph: store it as empty.
    return "" if cleaned in ("<p></p>", "<p><br></p>") else cleaned


class RichTextField(ProseEditorField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("extensions", EDITOR_EXTENSIONS)
        kwargs["sanitize"] = sanitize_html
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance, add):
        value = sanitize_html(getattr(model_instance, self.attname))
        if hasattr(self, "translated_field"):
            # A per-language column (body_vi, body_en): keep the clean value.
            # The untranslated attribute is a modeltranslation descriptor that
            # writes to the active language, so it is only cleaned, not set.
            setattr(model_instance, self.attname, value)
        return value


# Where a block of rich text ends: its text goes on a line of its own.
BLOCK_END = re.compile(r"</(p|li|h[1-6]|blockquote|tr|td|th|div|figcaption)>|<br\s*/?>", re.I)


def plain_text(value):
    """Rich text as a reader sees it: without its markup, its entities read,
    one block a line (a paragraph's last word is not joined to the next
    paragraph's first)."""
    text = html.unescape(strip_tags(BLOCK_END.sub("\n", str(value or ""))))
    return "\n".join(line.strip() for line in text.replace("\xa0", " ").splitlines()).strip()

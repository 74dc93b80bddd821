"""The Jinja2 environment of the public pages (templates/jinja2/): Django's
gettext, url() and static(), the portal's template functions
(templatetags.py), Django's filters that the pages use, and the
``{% fragment %}`` tag (fragments.py). The admin keeps Django templates."""

import hashlib
from functools import lru_cache

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import defaultfilters
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone, translation
from jinja2 import ChainableUndefined, Environment, nodes, pass_context, pass_environment
from jinja2.ext import Extension
from markupsafe import Markup

from . import fragments, templatetags


def url(viewname, *args, **kwargs):
    if args or kwargs:
        return reverse(viewname, args=args or None, kwargs=kwargs or None)
    return _fixed_url(
        viewname,
        translation.get_language(),
        get_script_prefix(),
        get_urlconf() or settings.ROOT_URLCONF,
    )


@lru_cache(maxsize=256)
def _fixed_url(viewname, language, prefix, urlconf):
    """The address of a view without arguments (the header's, the footer's
    links): the same for a language, script prefix and URLconf, worked out
    once per process instead of on every page."""
    return reverse(viewname, urlconf=urlconf)


@receiver(setting_changed)
def _forget_fixed_urls(*, setting, **kwargs):
    if setting in {"ROOT_URLCONF", "LANGUAGES", "LANGUAGE_CODE", "FORCE_SCRIPT_NAME"}:
        _fixed_url.cache_clear()


def date(value, arg=None):
    """Django's date filter, in the current time zone as Django's templates
    show an aware datetime."""
    return defaultfilters.date(timezone.template_localtime(value), arg)


def linebreaksbr(value):
    return defaultfilters.linebreaksbr(value, autoescape=True)


def urlencode(value, safe=None):
    return defaultfilters.urlencode(value, safe)


def in_language(code, caller):
    """{% call in_language("vi") %}…{% endcall %}: the block's text in another
    language."""
    with translation.override(code):
        return caller()


@pass_environment
def picture(environment, obj, field_name, alt, **options):
    context = templatetags.picture(obj, field_name, alt, **options)
    return Markup(environment.get_template("includes/picture.html").render(context))


class FragmentExtension(Extension):
    """{% fragment obj [, obj …] %}…{% endfragment %}: the block rendered once
    per version of the objects (fragments.py). Inside, read only those objects
    (and what was loaded with them), the language and the reader's
    preferences: nothing else of the page's context.

    {% fragment item in items %}, inside {% for item in items %}, reads the
    stored fragments of the whole list at its first item."""

    tags = {"fragment"}

    def parse(self, parser):
        token = next(parser.stream)
        objects = []
        sequence = nodes.Const(None)
        while parser.stream.current.type != "block_end":
            if objects and parser.stream.skip_if("name:in"):
                if len(objects) != 1:
                    parser.fail("fragment … in names one object", token.lineno)
                sequence = parser.parse_unary()
                break
            if objects:
                parser.stream.skip_if("comma")
            objects.append(parser.parse_unary())
        if not objects:
            parser.fail("fragment needs the objects it shows", token.lineno)
        body = parser.parse_statements(("name:endfragment",), drop_needle=True)
        source = f"{parser.name}:{token.lineno}:{self._digest(parser, body)}"
        call = self.call_method(
            "_render",
            [nodes.Const(source), nodes.List(objects), sequence, nodes.ContextReference()],
        )
        return nodes.CallBlock(call, [], [], body).set_lineno(token.lineno)

    def _digest(self, parser, body):
        try:
            contents = self.environment.loader.get_source(self.environment, parser.name)[0]
        except Exception:  # a template from a string: its nodes stand for it
            contents = repr(body)
        return hashlib.sha256(contents.encode()).hexdigest()

    def _render(self, source, objects, sequence, context, caller):
        request = context.get("request")
        known = None
        if sequence is not None:
            # The fragments of a whole list in one round trip, on its first item.
            found = context.vars.setdefault("_fragments_stored", {})
            stored = found.get(source)
            if stored is None or stored[0] is not sequence:
                stored = (sequence, fragments.stored(source, list(sequence), request))
                found[source] = stored
            known = stored[1].get(id(objects[0]))
        return Markup(fragments.rendered(source, objects, request, caller, known))


def environment(**options):
    options["undefined"] = ChainableUndefined
    env = Environment(**options)
    env.install_gettext_callables(
        translation.gettext,
        translation.ngettext,
        newstyle=True,
        pgettext=translation.pgettext,
        npgettext=translation.npgettext,
    )
    env.globals.update(
        {
            "url": url,
            "static": static,
            "in_language": in_language,
            "get_current_language": translation.get_language,
            "language_links": pass_context(templatetags.language_links),
            "breadcrumbs": pass_context(templatetags.breadcrumbs),
            "breadcrumb_ld": pass_context(templatetags.breadcrumb_ld),
            "nav_items": pass_context(templatetags.nav_items),
            "absolute_url": pass_context(templatetags.absolute_url),
            "organization_ld": pass_context(templatetags.organization_ld),
            "news_article_ld": pass_context(templatetags.news_article_ld),
            "event_ld": pass_context(templatetags.event_ld),
            "og_locale": templatetags.og_locale,
            "tr": templatetags.tr,
            "language_mark": templatetags.language_mark,
            "undated": templatetags.undated,
            "choice": templatetags.choice,
            "posted": templatetags.posted,
            "picture": picture,
        }
    )
    env.filters.update(
        {
            "display": templatetags.display_value,
            "minutes": templatetags.minutes,
            "date": date,
            "linebreaksbr": linebreaksbr,
            "urlencode": urlencode,
            "capfirst": defaultfilters.capfirst,
        }
    )
    return env

"""Helpers for the tests of public pages."""

import json
import re

from django.utils import translation

SITEMAP_NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "x": "http://www.w3.org/1999/xhtml",
}


def url_of(obj, language):
    with translation.override(language):
        return obj.get_absolute_url()


def json_ld(html):
    return [
        json.loads(block)
        for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    ]


def listed(response):
    return {obj.pk for obj in response.context["page"]}

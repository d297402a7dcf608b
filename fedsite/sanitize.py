"""HTML sanitizing (SPEC §11): the one place that decides what raw HTML may survive."""

from __future__ import annotations

from copy import deepcopy
from functools import lru_cache
from urllib.parse import urlsplit

import nh3

_EXTRA_TAGS = {"iframe", "audio", "video", "source", "figure", "figcaption", "details", "summary",
               "input", "label", "section"}
_GLOBAL_ATTRS = {"class", "id", "title", "lang", "dir"}
_TAG_ATTRS = {
    "a": {"href", "hreflang", "target"},
    "img": {"alt", "src", "width", "height", "loading"},
    "iframe": {"src", "width", "height", "allow", "allowfullscreen", "frameborder", "loading"},
    "audio": {"src", "controls", "preload"},
    "video": {"src", "controls", "preload", "poster", "width", "height"},
    "source": {"src", "type"},
    "input": {"type", "checked", "disabled"},
    "label": {"for"},
    "details": {"open"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "td": {"align", "colspan", "rowspan"},
    "ol": {"start"},
}
SCHEMES = {"http", "https", "mailto", "tel"}


@lru_cache(maxsize=8)
def _attributes() -> dict[str, set[str]]:
    attrs = deepcopy(nh3.ALLOWED_ATTRIBUTES)
    for tag, names in _TAG_ATTRS.items():
        attrs.setdefault(tag, set()).update(names)
    attrs["*"] = set(_GLOBAL_ATTRS)
    return attrs


def host_allowed(url: str, hosts: tuple[str, ...]) -> bool:
    """True for an https URL on an allowed host or one of its subdomains."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return parts.scheme == "https" and any(host == h or host.endswith("." + h) for h in hosts)


def clean_html(html: str, iframe_hosts: tuple[str, ...], base_url: str | None = None) -> str:
    """Strip scripts, event handlers, dangerous URLs and iframes from hosts not allowed.

    With `base_url`, relative links and images become absolute (for feeds)."""

    def keep(tag: str, attr: str, value: str) -> str | None:
        if tag == "iframe" and attr == "src" and not host_allowed(value, iframe_hosts):
            return None
        if tag == "input" and attr == "type" and value != "checkbox":
            return None
        return value

    return nh3.clean(
        html,
        tags=nh3.ALLOWED_TAGS | _EXTRA_TAGS,
        clean_content_tags={"script", "style"},
        attributes=_attributes(),
        attribute_filter=keep,
        url_schemes=SCHEMES,
        link_rel=None,
        strip_comments=True,
        url_relative=("rewrite_with_base", base_url) if base_url else None,
    )


def plain_text(html: str) -> str:
    """The text of an HTML fragment, tags removed, whitespace collapsed."""
    import html as html_lib

    text = nh3.clean(html, tags=set(), clean_content_tags={"script", "style"})
    return " ".join(html_lib.unescape(text).split())

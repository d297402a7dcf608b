"""HTML sanitizing (SPEC §11): the one place that decides what raw HTML may survive."""

from __future__ import annotations

from copy import deepcopy
from functools import lru_cache

import nh3
from ada_url import URL, idna_to_ascii

_EXTRA_TAGS = {"iframe", "audio", "video", "source", "figure", "figcaption", "details", "summary",
               "input", "label", "section"}
_GLOBAL_ATTRS = {"class", "id", "title", "lang", "dir"}
_TAG_ATTRS = {
    "a": {"href", "hreflang", "target"},
    "img": {"alt", "src", "width", "height", "loading"},
    "iframe": {"src", "width", "height", "allow", "allowfullscreen", "frameborder", "loading", "title"},
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


# Two bases of different schemes and hosts: a URL that resolves the same against both is absolute in
# the browser's eyes whatever page it is on (so `//host/x` and `https:host/x` are not).
_BASES = ("https://a.fedsite.invalid/d/", "http://b.fedsite.invalid/d/")


def browser_url(url: str) -> URL | None:
    """The absolute URL a browser makes of `url`, by the WHATWG URL standard (ada), or None when
    `url` is not one or depends on the page it is on.

    Python's `urlsplit` is not the browser's parser: it reads `https://evil.com\\@www.youtube.com/`
    as a user `evil.com\\` on www.youtube.com, where a browser reads a backslash as a slash and loads
    evil.com; browsers also drop tabs and newlines anywhere, decode percent-encoded hosts and map
    Unicode hosts by IDNA. Judging with the browser's own rules leaves no such gap."""
    try:
        first, second = (URL(url, base) for base in _BASES)
    except ValueError:
        return None
    return first if first.href == second.href else None


def allowed_src(url: str, hosts: tuple[str, ...]) -> str | None:
    """The normalized URL (as the browser will load it) when `url` is https, names no user and is on
    an allowed host or one of its subdomains; None otherwise."""
    parsed = browser_url(url)
    if parsed is None or parsed.protocol != "https:" or parsed.username or parsed.password:
        return None
    host = parsed.hostname
    if not any(host == h or host.endswith("." + h) for h in _ascii_hosts(hosts)):
        return None
    return parsed.href


@lru_cache(maxsize=8)
def _ascii_hosts(hosts: tuple[str, ...]) -> tuple[str, ...]:
    """The allow-list as the parser writes hosts: lower case, IDNA (`видео.рф` -> `xn--b1aedk6a.xn--p1ai`)."""
    names = (h.strip().rstrip(".") for h in hosts)
    return tuple((idna_to_ascii(h) or b"").decode("ascii") or h.lower() for h in names if h)


def clean_html(html: str, iframe_hosts: tuple[str, ...], base_url: str | None = None) -> str:
    """Strip scripts, event handlers, dangerous URLs and iframes from hosts not allowed.

    With `base_url`, relative links and images become absolute (for feeds)."""

    def keep(tag: str, attr: str, value: str) -> str | None:
        if tag == "iframe" and attr == "src":
            return allowed_src(value, iframe_hosts)  # normalized: the browser loads what was judged
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


def html_text(text: str) -> str:
    """Plain text as HTML that shows it as written: for places readers render as HTML, as RSS
    `description` (`<script>` in a summary then reaches the reader as the text `<script>`)."""
    import html as html_lib

    return html_lib.escape(text, quote=False)

"""What a page shows when it is shared (SPEC §6): a meta description on every page and its Open Graph
data (title, summary, an absolute URL of a picture that is published, the page's absolute URL)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fedsite.model.schema import card_image
from fedsite.plan.pagedata import ListPageData, PostPageData
from fedsite.plan.sitepages import PageSpec
from fedsite.plan.view import FederationView, file_url
from fedsite.read.tree import Org

# The federation's pictures, in theme/assets/ (published once, by the root site): the one shared pages
# show when neither the post nor the organization has one, and the square one podcast apps ask for.
SHARE_IMAGE = ("assets/fed-share.png", 1200, 630)
PODCAST_IMAGE = "assets/fed-podcast.png"  # 1400×1400: Apple's smallest podcast artwork
# What search engines and VK/Telegram show of a description (~160 characters): the page has it twice
# (meta description and og:description), so more is bytes no one reads (issue 16).
DESCRIPTION_CHARS = 160


def theme_file_url(view: FederationView, name: str) -> str:
    """The absolute URL of a file of theme/assets/, which only the root site publishes (SPEC §2: the root
    site is at the federation's base URL; the tree is not asked, so that no site depends on it for this)."""
    return view.settings.site_url + name


def clip(text: str, limit: int = DESCRIPTION_CHARS) -> str:
    """Text on one line, cut at a word to at most `limit` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,;:—-") + "…"


def site_image(org: Org, view: FederationView) -> dict[str, Any]:
    """The organization's picture (`image:` in site.yml), else the federation's."""
    own = card_image(org.card)
    if own:
        copies = view.picture(org, own)  # the largest web copy: up to 2048 px, 1200×630 and more if the source is
        if copies is not None:
            return {"image": view.settings.site_url + copies.url, "image_width": copies.width,
                    "image_height": copies.height}
        return {"image": view.settings.site_url + file_url(org.url_path + own)}
    name, width, height = SHARE_IMAGE
    return {"image": theme_file_url(view, name), "image_width": width, "image_height": height}


def site_preview(org: Org, view: FederationView) -> dict[str, Any]:
    """The site's own preview: what pages with no data of their own (the 404 page) share."""
    return {"type": "website", "site_name": org.name, "title": org.name, "locale": "ru_RU",
            "description": site_description(org), "url": view.settings.site_url + file_url(org.url_path),
            **site_image(org, view)}


def site_description(org: Org) -> str:
    return clip(str(org.card.get("description") or "") or f"{org.name}: новости, мероприятия, контакты.")


def page_description(page: PageSpec, org: Org) -> str:
    """The page's own (a post's summary, a page's), a project's, else what the page is on which site."""
    own = page.description or (page.data.intro if isinstance(page.data, ListPageData) else "")
    if own:
        return clip(own)
    if page.url == "index.html":
        return site_description(org)
    return clip(f"{page.title} — {org.name}")


def with_previews(pages: list[PageSpec], org: Org, view: FederationView) -> list[PageSpec]:
    """Every page with its meta description and its Open Graph data (`og` in the page's data)."""
    site = site_preview(org, view)
    base = view.settings.site_url
    out = []
    for page in pages:
        description = page_description(page, org)
        og = {**site, "description": description, "url": base + file_url(org.url_path + page.url),
              "title": org.name if page.url == "index.html" else page.title}
        if page.template == "post.html" and isinstance(page.data, PostPageData):
            post = page.data.post
            og["type"] = "article"
            og["published"] = post.date_iso
            if page.data.updated_iso:
                og["modified"] = page.data.updated_iso
            if post.picture:
                og.update(image=base + post.picture.url, image_width=post.picture.width,
                          image_height=post.picture.height)
            elif post.cover:
                cover = post.cover
                og = {k: v for k, v in og.items() if k not in ("image_width", "image_height")}
                og["image"] = cover if "://" in cover else base + cover
        out.append(replace(page, description=description, data=replace(page.data, og=og)))
    return out

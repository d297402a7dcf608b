"""Read stage: every post and page of every organization, as plain frozen data (each with its Source)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fedsite.read.source import Source


@dataclass(frozen=True)
class Event:
    """An event a post announces: a webinar, seminar, video conference."""

    start: datetime
    end: datetime | None
    place: str
    online: str


@dataclass(frozen=True)
class Post:
    """A news post, validated; `url` is relative to its site's root."""

    org: str
    source: Source
    post_id: str
    slug: str
    url: str
    title: str
    date: datetime
    updated: datetime | None
    tags: tuple[str, ...]
    projects: tuple[str, ...]
    summary: str
    cover: str  # a URL, or a site-relative output path of a copied file, or ''
    author: str
    draft: bool
    audio: str
    video: str
    event: Event | None
    gallery: tuple[str, ...] = ()  # site-relative output paths of the gallery's images


@dataclass(frozen=True)
class Page:
    """A page of an organization (or a shared page when org is ''); `url` relative to the site root."""

    org: str
    source: Source
    url: str
    title: str
    order: float
    menu_path: tuple[str, ...]  # folder names from pages/ down to the file

"""What each kind of page gives its template (`fed.page` in theme/*.html), as frozen dataclasses.

Jinja reads an attribute as it reads a dict's key, and a field a page does not have is undefined (falsy)
as a missing key was. URLs are public-root-relative, as all the plan's data; the theme makes them
page-relative (the `fed` filter). Items of lists (links, terms, rows) stay small dicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from fedsite.plan.view import PostCard


@dataclass(frozen=True, kw_only=True)
class PageData:
    """What every page has; a page of no kind of its own (the warm-up page) has only this."""

    og: dict[str, Any] | None = None  # Open Graph data (previews.with_previews); None: the site's own


@dataclass(frozen=True, kw_only=True)
class PostPageData(PageData):
    """A post's page (post.html)."""

    post: PostCard
    share: list[dict[str, str]]  # share links: key, label, url
    newer: PostCard | None  # the next (newer) post of the site
    older: PostCard | None  # the previous (older) post of the site
    projects: list[dict[str, str]]  # the post's projects: id, title, url (the root site's page)
    updated: str  # the date of the last update in Russian, '' if none
    updated_iso: str  # the same as YYYY-MM-DD, '' if none
    audio: str  # the URL of the post's audio, '' if none
    video: str  # the URL of the post's video, '' if none


@dataclass(frozen=True, kw_only=True)
class ReportPageData(PostPageData):
    """A yearly report's page (report.html): its post's page with the report (reports.report_card)."""

    report: dict[str, Any]  # year, title, url, approved(_iso), approved_by, document (url, type, size, name)

    @classmethod
    def of(cls, post: PostPageData, report: dict[str, Any]) -> ReportPageData:
        return cls(**{f.name: getattr(post, f.name) for f in fields(post)}, report=report)


@dataclass(frozen=True, kw_only=True)
class ListPageData(PageData):
    """A list of posts (list.html): the news, a year, a tag, a project."""

    heading: str
    entries: list[PostCard]
    pager: dict[str, Any] | None = None  # pages (n, url, current), prev, next; None: not in pages
    compact: bool = False  # entries as a title and a date only
    feeds: bool = False  # links to the site's news feeds
    intro: str = ""  # a project's description
    federation_wide: bool = False  # entries from the subtree: show each entry's organization
    project_feeds: dict[str, str] = field(default_factory=dict)  # a project's rss and atom (root site only)
    total: int = 0  # posts of the subtree when entries are only the latest of them
    members: list[dict[str, Any]] = field(default_factory=list)  # name, count, url per member with posts


@dataclass(frozen=True, kw_only=True)
class TermsPageData(PageData):
    """A list of terms with counts (terms.html): tags, projects, the archive's years."""

    heading: str
    terms: list[dict[str, Any]]  # name, count, url


@dataclass(frozen=True, kw_only=True)
class EventsPageData(PageData):
    """Events (events.html)."""

    upcoming: list[PostCard]  # soonest first
    past: list[PostCard]  # most recent first
    calendars: list[dict[str, str]]  # title, url of the iCalendar files


@dataclass(frozen=True, kw_only=True)
class HomePageData(PageData):
    """The home page (home.html)."""

    latest: list[PostCard]  # the site's own latest posts
    member_news: list[PostCard]  # the members' latest posts
    upcoming: list[PostCard]  # the next events
    news_url: str
    events_url: str


@dataclass(frozen=True, kw_only=True)
class AboutPageData(PageData):
    """"О нас" (about.html)."""

    members: list[dict[str, Any]]  # the direct members (sitepages.member_entry, without their members)
    description: str


@dataclass(frozen=True, kw_only=True)
class DirectoryPageData(PageData):
    """The directory of members as a tree (directory.html)."""

    members: list[dict[str, Any]]  # sitepages.member_entry, all the way down
    total: int  # organizations below this one


@dataclass(frozen=True, kw_only=True)
class ContentPageData(PageData):
    """An organization's or a shared page (page.html)."""

    menu_path: list[str]  # the folders the page is in, for the menu


@dataclass(frozen=True, kw_only=True)
class SearchPageData(PageData):
    """The search page (search.html); fed-search.js reads these."""

    org: str  # the organization's id
    bundle: str  # the root's member the organization is under ('' for the root itself)
    has_members: bool


@dataclass(frozen=True, kw_only=True)
class ReportsPageData(PageData):
    """«Открытые отчёты» (reports.html)."""

    heading: str
    own: list[dict[str, Any]]  # the organization's reports (reports.report_card)
    years: list[dict[str, Any]]  # per year: who of the subtree published (reports.members_by_year)


@dataclass(frozen=True, kw_only=True)
class MonitoringPageData(PageData):
    """A year's monitoring page (monitoring.html)."""

    heading: str
    date: str  # the report's date in Russian
    date_iso: str  # the same as YYYY-MM-DD
    rows: list[dict[str, Any]]  # an organization each
    charts: list[dict[str, str]]  # title, svg
    years: list[dict[str, Any]]  # year, url of each year's page
    year: int
    silent_days: int  # days without posts after which an organization is silent
    silent: list[dict[str, Any]]  # the rows of silent organizations
    totals: list[dict[str, Any]]  # per territorial organization, then the federation
    report_years: list[int]  # the years of the reports' columns
    csv: str  # the download's URL
    json: str  # the download's URL

"""The pages every site shows (SPEC §6), each built from published posts as plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any
from urllib.parse import quote

from fedsite.read.content import Post
from fedsite.model.dates import russian_date
from fedsite.render.markup import ROOT_MARK
from fedsite.model.schema import KINDS
from fedsite.read.tree import Org, Tree
from fedsite.plan.pagedata import (AboutPageData, ContentPageData, DirectoryPageData, EventsPageData, HomePageData,
                                   ListPageData, PageData, PostPageData, TermsPageData)
from fedsite.plan.view import FederationView, PostCard, file_url, tag_url

FEEDS = {"rss": "feed.xml", "atom": "atom.xml", "rss_all": "feed-all.xml", "atom_all": "atom-all.xml"}
CALENDARS = {"own": "events.ics", "all": "events-all.ics"}
COMPACT_PAGE = 3  # a list of titles and dates (tags, projects) shows this many times posts_per_page a page


@dataclass(frozen=True)
class PageSpec:
    """One page of a site: where it goes, which template shows it, its HTML and template data."""

    url: str  # site-relative, e.g. "posts/seminar.html"
    title: str
    template: str
    html: str = ""
    toc: tuple = ()
    data: PageData = field(default_factory=PageData)  # what the template reads as `fed.page`
    description: str = ""
    updated: str = ""  # YYYY-MM-DD for the sitemap; '' means the site's date (SitePlan.updated)


def local_date(moment: datetime, tz: tzinfo) -> str:
    """The day of a moment in the federation's time zone, as the sitemap's lastmod: a post published
    at 00:30 in Moscow is of that day, not of the day before as in UTC."""
    return moment.astimezone(tz).date().isoformat()


def post_pages(own: list[Post], cards: dict[str, PostCard], view: FederationView) -> list[PageSpec]:
    """A page per post, with previous (older) and next (newer) links and share buttons."""
    out = []
    for i, post in enumerate(own):
        rendered = view.rendered[post.source.rel]
        this = cards[post.source.rel]
        absolute = view.settings.site_url + this.url
        share = share_links(absolute)
        org = view.tree[post.org]
        data = PostPageData(
            post=this, share=share,
            newer=cards[own[i - 1].source.rel] if i > 0 else None,
            older=cards[own[i + 1].source.rel] if i + 1 < len(own) else None,
            projects=[project_link(pid, view, org) for pid in post.projects],
            updated=russian_date(post.updated) if post.updated else "",
            updated_iso=post.updated.isoformat() if post.updated else "",
            audio=media_url(post.audio, org), video=media_url(post.video, org),
        )
        out.append(PageSpec(post.url, post.title, "post.html", view.html(rendered), rendered.toc, data,
                            this.summary, local_date(post.updated or post.date, view.settings.tz)))
    return out


def media_url(value: str, org: Org) -> str:
    return value if "://" in value or not value else file_url(org.url_path + value)


def share_links(url: str) -> list[dict[str, str]]:
    """Plain share links for VK, Odnoklassniki and Telegram: no third-party scripts. Each takes the title,
    summary and picture from the page's Open Graph tags, so the links carry the page's address alone
    (the title, percent-encoded, was ~0.7 KB of every post page)."""
    u = quote(url, safe="")
    return [
        {"key": "vk", "label": "ВКонтакте", "url": f"https://vk.com/share.php?url={u}"},
        {"key": "ok", "label": "Одноклассники", "url": f"https://connect.ok.ru/offer?url={u}"},
        {"key": "telegram", "label": "Telegram", "url": f"https://t.me/share/url?url={u}"},
    ]


def project_link(pid: str, view: FederationView, org: Org) -> dict[str, str]:
    """A project links to the root site's page, which gathers the whole federation's posts."""
    root = view.tree[view.tree.root]
    return {"id": pid, "title": str(view.projects[pid].get("title", pid)),
            "url": root.url_path + f"posts/projects/{pid}.html"}


def paginate(org: Org, base: str, heading: str, items: list, per_page: int,
             extra: dict, first: str = "") -> list[PageSpec]:
    """List pages: `first` (else base/index.html), base/page/2.html, … (pager links public-root-relative,
    as all data)."""
    chunks = [items[i:i + per_page] for i in range(0, len(items), per_page)] or [[]]

    def url(n: int) -> str:
        return (first or f"{base}/index.html") if n == 1 else f"{base}/page/{n}.html"

    out = []
    for n, chunk in enumerate(chunks, 1):
        root = org.url_path
        pager = {"pages": [{"n": k, "url": root + url(k), "current": k == n} for k in range(1, len(chunks) + 1)],
                 "prev": root + url(n - 1) if n > 1 else "", "next": root + url(n + 1) if n < len(chunks) else ""}
        title = heading if n == 1 else f"{heading} — страница {n}"
        out.append(PageSpec(url(n), title, "list.html", data=ListPageData(heading=title, entries=chunk,
                                                                          pager=pager, **extra)))
    return out


def news_pages(org: Org, own: list[Post], cards: dict[str, PostCard], view: FederationView) -> list[PageSpec]:
    """The news list with pagination and the archive by year."""
    items = [cards[p.source.rel] for p in own]
    per_page = view.settings.posts_per_page
    feeds = {"feeds": True}
    pages = paginate(org, "posts", "Новости", items, per_page, feeds)
    years: dict[int, list[dict]] = {}
    for post in own:
        years.setdefault(post.date.year, []).append(cards[post.source.rel])
    year_links = [{"name": f"{y} год", "count": len(v), "url": org.url_path + f"posts/archive/{y}.html"}
                  for y, v in sorted(years.items(), reverse=True)]
    pages.append(PageSpec("posts/archive/index.html", "Архив", "terms.html",
                          data=TermsPageData(heading="Архив новостей по годам", terms=year_links)))
    for year, year_items in sorted(years.items()):
        pages.append(PageSpec(f"posts/archive/{year}.html", f"Новости {year} года", "list.html",
                              data=ListPageData(heading=f"Новости {year} года", entries=year_items, compact=True)))
    return pages


def taxonomy_pages(org: Org, own: list[Post], cards: dict[str, PostCard], view: FederationView) -> list[PageSpec]:
    """A page per tag of the site, and a page per project (with members: the latest of the subtree)."""
    tags: dict[str, list[dict]] = {}
    for post in own:
        for tag in post.tags:
            tags.setdefault(tag, []).append(cards[post.source.rel])
    terms: list[dict] = []
    pages = [PageSpec("posts/tags/index.html", "Метки", "terms.html", data=TermsPageData(
        heading="Метки", terms=[{"name": t, "count": len(v), "url": org.url_path + tag_url(t)}
                                for t, v in sorted(tags.items(), key=lambda kv: kv[0].lower())]))]
    # A tag's posts in pages like the news list's, each post a title and a date (its summary is on the
    # news list), so three times as many a page: tag pages grow with the posts, not by a page without end.
    per_page = COMPACT_PAGE * view.settings.posts_per_page
    for tag, items in sorted(tags.items()):
        pages += paginate(org, tag_url(tag)[: -len(".html")], f"Метка «{tag}»", items, per_page,
                          {"compact": True}, first=tag_url(tag))
    is_root = org.id == view.tree.root
    for pid, project in view.projects.items():
        title = str(project.get("title", pid))
        url = f"posts/projects/{pid}.html"
        feeds = {"rss": f"posts/projects/{pid}.xml", "atom": f"posts/projects/{pid}.atom.xml"} if is_root else {}
        extra = {"intro": str(project.get("description", "")), "compact": True, "federation_wide": bool(org.members),
                 "project_feeds": {k: org.url_path + v for k, v in feeds.items()}}
        if org.members:  # the latest of the subtree (bounded), and a count per member
            data = rollup_project(org, pid, view)
            terms.append({"name": title, "count": data["total"], "url": org.url_path + url})
            pages.append(PageSpec(url, title, "list.html", data=ListPageData(heading=title, **data, **extra)))
        else:  # the site's own: in pages, like a tag's
            entries = [cards[p.source.rel] for p in own if pid in p.projects]
            terms.append({"name": title, "count": len(entries), "url": org.url_path + url})
            pages += paginate(org, url[: -len(".html")], title, entries, per_page, extra, first=url)
    pages.append(PageSpec("posts/projects/index.html", "Проекты", "terms.html",
                          data=TermsPageData(heading="Проекты и тематический год", terms=terms)))
    return pages


def rollup_project(org: Org, pid: str, view: FederationView) -> dict[str, Any]:
    """A project on a site with members: the latest posts of the whole subtree, and how many each
    member's subtree has (linking to its own project page), so no page grows with the federation."""
    members = []
    for member_id in org.members:
        member = view.tree[member_id]
        count = view.project_counts(member)[pid]
        if count:
            members.append({"name": member.short_name, "count": count,
                            "url": member.url_path + f"posts/projects/{pid}.html"})
    return {"entries": [view.card_of(p) for p in view.project_posts(org, pid, view.settings.rollup_items)],
            "total": view.project_counts(org)[pid], "members": members}


def upcoming_and_past(posts: list[Post], view: FederationView) -> tuple[list[dict], list[dict]]:
    """Event cards: upcoming soonest first, then past most recent first."""
    events = [p for p in posts if p.event]
    upcoming = sorted((p for p in events if view.upcoming(p)), key=lambda p: p.event.start)
    past = sorted((p for p in events if not view.upcoming(p)), key=lambda p: p.event.start, reverse=True)
    return [view.card_of(p) for p in upcoming], [view.card_of(p) for p in past]


def event_pages(org: Org, view: FederationView) -> list[PageSpec]:
    upcoming, past = upcoming_and_past(view.events(org), view)
    if org.members:  # the whole subtree's history would grow without bound; news lists keep it all
        past = past[: view.settings.rollup_items]
    calendars = [{"title": "Календарь мероприятий организации (iCalendar)",
                  "url": org.url_path + CALENDARS["own"]}]
    if org.members:
        calendars.append({"title": "Календарь вместе с членами организации (iCalendar)",
                          "url": org.url_path + CALENDARS["all"]})
    return [PageSpec("posts/events.html", "Мероприятия", "events.html",
                     data=EventsPageData(upcoming=upcoming, past=past, calendars=calendars))]


def home_page(org: Org, own: list[Post], cards: dict[str, PostCard], view: FederationView) -> list[PageSpec]:
    """Intro, latest posts, members' latest news and upcoming events."""
    s = view.settings
    members_news = []
    if org.members:
        members_news = [view.card_of(p) for p in view.newest(org, s.member_news, members_only=True)]
    upcoming, _ = upcoming_and_past(view.events(org), view)
    intro = view.rendered[view.intros[org.id]] if org.id in view.intros else None
    data = HomePageData(latest=[cards[p.source.rel] for p in own[: s.home_posts]], member_news=members_news,
                        upcoming=upcoming[:5], news_url=org.url_path + "posts/index.html",
                        events_url=org.url_path + "posts/events.html")
    return [PageSpec("index.html", org.short_name, "home.html", view.html(intro) if intro else "",
                     intro.toc if intro else (), data, str(org.card.get("description") or ""))]


def about_pages(org: Org, view: FederationView) -> list[PageSpec]:
    """"О нас" from site.yml, and the directory of members as a tree."""
    tree = view.tree
    members = [member_entry(tree[m], tree, depth=0) for m in org.members]
    pages = [PageSpec("pages/about.html", "О нас", "about.html",
                      data=AboutPageData(members=members, description=str(org.card.get("description") or "")))]
    if org.members:
        total = len(tree.descendants(org.id))
        pages.append(PageSpec("pages/directory.html", "Организации", "directory.html",
                              data=DirectoryPageData(members=[member_entry(tree[m], tree, depth=None)
                                                              for m in org.members], total=total)))
    return pages


def member_entry(org: Org, tree: Tree, depth: int | None) -> dict[str, Any]:
    """A member for the directory; depth None means all the way down."""
    children = [] if depth == 0 else [member_entry(tree[m], tree, None) for m in org.members]
    return {"name": org.name, "short_name": org.short_name, "url": org.url_path + "index.html",
            "kind": KINDS.get(org.kind, ""), "description": str(org.card.get("description") or ""),
            "members": children}


def content_pages(org: Org, view: FederationView) -> list[PageSpec]:
    """The organization's pages and the shared pages (an own page wins over a shared one)."""
    own = {p.url: p for p in view.pages.get(org.id, [])}
    shared = [p for p in view.pages.get("", []) if p.url not in own]
    out = []
    for page in sorted([*own.values(), *shared], key=lambda p: (p.menu_path, p.order, p.title)):
        rendered = view.rendered[page.source.rel]
        html = view.html(rendered)
        if not page.org:
            depth = (org.url_path + page.url).count("/")
            html = html.replace(ROOT_MARK, "../" * depth)
        out.append(PageSpec(page.url, page.title, "page.html", html, rendered.toc,
                            ContentPageData(menu_path=list(page.menu_path)), rendered.summary))
    return out


def nav(org: Org, pages: list[PageSpec], extra: list[PageSpec]) -> list[Any]:
    """The menu: fixed sections, then the pages' folder tree, then "О нас" and the directory."""
    def src(url: str) -> str:
        return url[: -len(".html")] + ".md"

    menu: list[Any] = [{"Главная": src("index.html")}, {"Новости": src("posts/index.html")},
                       {"Мероприятия": src("posts/events.html")}, {"Проекты": src("posts/projects/index.html")}]
    sections: dict[tuple, list] = {(): menu}  # folder path -> its section's entries, nested as the folders are
    for page in pages:
        path = tuple(page.data.menu_path) if isinstance(page.data, ContentPageData) else ()
        for depth in range(1, len(path) + 1):
            if path[:depth] not in sections:
                sections[path[:depth]] = []
                title = path[depth - 1].replace("-", " ").capitalize()
                sections[path[:depth - 1]].append({title: sections[path[:depth]]})
        sections[path].append({page.title: src(page.url)})
    menu.append({"О нас": src("pages/about.html")})
    if any(p.url == "reports/index.html" for p in extra):
        menu.append({"Открытые отчёты": src("reports/index.html")})
    if any(p.url == "pages/monitoring.html" for p in extra):
        menu.append({"Мониторинг": src("pages/monitoring.html")})
    if org.members:
        menu.append({"Организации": src("pages/directory.html")})
    return menu



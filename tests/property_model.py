"""The property test's model of a federation (tests/test_property_incremental.py): organizations, posts,
pages, assets, projects, shared pages, settings and theme as plain data, and the repository files
they make."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from conftest import FIXTURES, PROJECT

MSK = timezone(timedelta(hours=3))
START = datetime(2026, 6, 1, 12, 0, tzinfo=MSK)
SITE_URLS = ("https://fed.example.org/", "https://example.com/federaciya/")
# What edit_theme changes ("pages": a template that reads every page, see Federation.themed)
THEME_EDITS = ("post.html", "partials/fed-footer.html", "home.html", "assets/fedsite.css", "pages")

THEME = {p.relative_to(PROJECT / "theme").as_posix(): p.read_bytes()
         for p in sorted((PROJECT / "theme").rglob("*")) if p.is_file()}
LOGO = (FIXTURES / "mini/shared/assets/logo.svg").read_bytes()


def quoted(text: str) -> str:
    """A YAML double-quoted scalar (titles may hold a colon or a quotation mark)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def yaml_value(value: object) -> str:
    if isinstance(value, str):
        return quoted(value)
    return f"[{', '.join(map(str, value))}]" if isinstance(value, list) else str(value)


# --- the model ----------------------------------------------------------------------------------------

@dataclass
class Post:
    org: str
    name: str  # dated (YYYY-MM-DD-novost-N.md), plain (novost-N.md) or cyrillic («Новость N.md»)
    day: date  # the date in a dated file name
    when: datetime  # the date field, naive (in the federation's time zone) but for the "offset" style
    date_style: str  # "file": no date field, the file name's date
    title: str
    subfolder: str = ""
    tags: tuple[str, ...] = ()
    projects: tuple[str, ...] = ()
    slug: str = ""
    post_id: str = ""
    draft: bool = False
    summary: str = ""
    author: str = ""
    updated: date | None = None
    event: tuple[datetime, int, str] | None = None  # start, hours (0: no end), place
    cover: str = ""  # an asset of the organization or a web address
    audio: str = ""
    paragraphs: tuple[str, ...] = ("Текст новости.",)
    markup: bool = False  # what the optional Markdown extensions change, and an embedded video
    more: bool = False
    heading: bool = False  # a "## Итоги" section that links may point at
    link: tuple[int, bool] | None = None  # another post's number, and whether to its #итоги


@dataclass
class Page:
    title: str
    text: str
    order: int | None = None
    link: int | None = None  # a post's number


@dataclass
class Org:
    parent: str | None
    kind: str
    name: str
    short_name: str = ""
    chair: str = ""
    email: str = ""
    vk: str = ""
    image: str = ""  # a picture of its assets/, shown when its pages are shared
    intro: str = ""
    pages: dict[str, Page] = field(default_factory=dict)
    assets: dict[str, bytes] = field(default_factory=dict)


@dataclass
class Federation:
    orgs: dict[str, Org]
    posts: dict[int, Post]
    projects: dict[str, tuple[str, str]]
    shared_pages: dict[str, tuple[str, str]]
    shared_assets: dict[str, bytes]
    settings: dict[str, object]
    site_url: str = SITE_URLS[0]
    extensions: tuple[str, ...] = ()
    theme: dict[str, int] = field(default_factory=dict)  # theme edit -> its revision

    # Where things are

    def folder(self, org_id: str) -> str:
        chain = []
        while org_id is not None:
            chain.append(org_id)
            org_id = self.orgs[org_id].parent
        return "sites/" + "/".join(reversed(chain))

    def subtree(self, org_id: str) -> set[str]:
        found = {org_id}
        for other in self.orgs:
            walk = other
            while walk is not None and walk not in found:
                walk = self.orgs[walk].parent
            if walk is not None:
                found.add(other)
        return found

    def post_file(self, post: Post, number: int) -> str:
        stem = {"dated": f"{post.day:%Y-%m-%d}-novost-{number}", "plain": f"novost-{number}",
                "cyrillic": f"Новость {number}"}[post.name]
        return f"{self.folder(post.org)}/posts/{post.subfolder}{stem}.md"

    def zone(self) -> ZoneInfo:
        return ZoneInfo(str(self.settings["time_zone"]))

    def moment(self, post: Post) -> datetime:
        """When the post is published, as the build reads its date."""
        if post.date_style == "file":
            return datetime.combine(post.day, datetime.min.time(), self.zone())
        if post.date_style == "offset":
            return post.when.replace(tzinfo=MSK)
        when = post.when if post.date_style.endswith("time") else post.when.replace(hour=0, minute=0)
        return when.replace(tzinfo=self.zone())

    # What the repository holds

    def files(self) -> dict[str, bytes]:
        out = {"mkdocs.yml": self.mkdocs_yml().encode(), "shared/data/projects.yml": self.projects_yml().encode()}
        out.update((f"shared/assets/{name}", data) for name, data in self.shared_assets.items())
        for name, (title, text) in self.shared_pages.items():
            out[f"shared/pages/{name}"] = f"# {title}\n\n{text}\n".encode()
        for name, data in THEME.items():
            out[f"theme/{name}"] = self.themed(name, data)
        for org_id, org in self.orgs.items():
            folder = self.folder(org_id)
            out[f"{folder}/site.yml"] = self.card(org).encode()
            if org.intro:
                out[f"{folder}/index.md"] = f"{org.intro}\n".encode()
            for name, page in org.pages.items():
                out[f"{folder}/pages/{name}"] = self.page_text(f"{folder}/pages/{name}", page).encode()
            for name, data in org.assets.items():
                out[f"{folder}/assets/{name}"] = data
        for number, post in self.posts.items():
            path = self.post_file(post, number)
            out[path] = self.post_text(path, post).encode()
        return out

    def mkdocs_yml(self) -> str:
        fed = "\n".join(f"    {key}: {yaml_value(value)}" for key, value in self.settings.items())
        extensions = "".join(f"  - {name}\n" for name in self.extensions)
        return (f"site_name: Mini\nsite_url: {self.site_url}\nuse_directory_urls: false\n"
                "theme:\n  name: material\n  language: ru\n  custom_dir: theme\n  font: false\n"
                "plugins: []\n"  # as the project's mkdocs.yml: the search index is a federation output
                "markdown_extensions:\n  - toc:\n      permalink: true\n  - admonition\n  - attr_list\n"
                f"  - md_in_html\n  - tables\n{extensions}"
                f"extra:\n  federation:\n{fed}\n"
                "validation:\n  omitted_files: ignore\n  absolute_links: ignore\n  unrecognized_links: ignore\n")

    def projects_yml(self) -> str:
        lines = []
        for pid, (title, description) in self.projects.items():
            lines.append(f"{pid}:\n  title: {quoted(title)}")
            if description:
                lines.append(f"  description: {quoted(description)}")
        return "\n".join(lines) + "\n" if lines else "{}\n"

    def themed(self, name: str, data: bytes) -> bytes:
        if name not in THEME_EDITS:
            return data
        text = data.decode()
        revision = self.theme.get(name, 0)
        if name == "post.html" and revision:
            text = text.replace("{% block fed_content %}", f"{{% block fed_content %}}<p>Рамка {revision}</p>", 1)
        elif name == "partials/fed-footer.html" and revision:
            text += f"<p class=\"fed-note\">Подвал, редакция {revision}</p>\n"
        elif name == "home.html" and (revision or self.theme.get("pages")):
            extra = f"<p>Главная, редакция {revision}</p>" if revision else ""
            if self.theme.get("pages"):  # a template that reads every page: no page is reused then
                extra += "<p class=\"fed-count\">Страниц на сайте: {{ pages | length }}</p>"
            text = text.replace("<section class=\"fed-home__news\">", extra + "<section class=\"fed-home__news\">", 1)
        elif name == "assets/fedsite.css" and revision:
            text += f".fed-note {{ margin-top: {revision}px; }}\n"
        return text.encode()

    def card(self, org: Org) -> str:
        lines = [f"name: {quoted(org.name)}", f"kind: {org.kind}"]
        if org.short_name:
            lines.append(f"short_name: {quoted(org.short_name)}")
        if org.chair:
            lines.append(f"chair: {org.chair}")
        if org.email:
            lines.append(f"contacts: {{email: {org.email}, phone: \"+7 000 000-00-00\"}}")
        if org.vk:
            lines.append(f"social: {{vk: {org.vk}}}")
        if org.image:
            lines.append(f"image: assets/{org.image}")
        return "\n".join(lines) + "\n"

    def link_to(self, source: str, number: int, anchor: bool) -> str:
        target = self.post_file(self.posts[number], number)
        href = posixpath.relpath(target, posixpath.dirname(source)).replace(" ", "%20")
        return href + ("#итоги" if anchor else "")

    def page_text(self, path: str, page: Page) -> str:
        head = f"---\ntitle: {quoted(page.title)}\n" + (f"order: {page.order}\n" if page.order is not None else "")
        body = page.text
        if page.link is not None:
            body += f"\n\nСм. [новость]({self.link_to(path, page.link, False)})."
        return f"{head}---\n\n{body}\n"

    def post_text(self, path: str, post: Post) -> str:
        lines = ["---", f"title: {quoted(post.title)}"]
        when = post.when
        date_text = {"file": "", "iso-day": f"{when:%Y-%m-%d}", "iso-time": f"{when:%Y-%m-%d %H:%M}",
                     "ru-day": f"{when:%d.%m.%Y}", "ru-time": f"{when:%d.%m.%Y %H:%M}",
                     "offset": f"{when:%Y-%m-%dT%H:%M:%S}+03:00"}[post.date_style]
        if date_text:
            lines.append(f"date: {date_text}")
        for key, values in (("tags", post.tags), ("projects", post.projects)):
            if values:
                lines.append(f"{key}: [{', '.join(values)}]")
        for key, value in (("slug", post.slug), ("id", post.post_id), ("author", post.author)):
            if value:
                lines.append(f"{key}: {value}")
        if post.summary:
            lines.append(f"summary: {quoted(post.summary)}")
        if post.updated:
            lines.append(f"updated: {post.updated:%d.%m.%Y}")
        if post.draft:
            lines.append("draft: true")
        depth = "../" * (1 + post.subfolder.count("/"))
        for key, value in (("cover", post.cover), ("audio", post.audio)):
            if value:
                lines.append(f"{key}: {value if value.startswith('https://') else depth + 'assets/' + value}")
        if post.event:
            start, hours, place = post.event
            end = f", end: {start + timedelta(hours=hours):%d.%m.%Y %H:%M}" if hours else ""
            lines.append(f"event: {{start: {start:%d.%m.%Y %H:%M}{end}, place: {place}}}")
        body = list(post.paragraphs)
        if post.markup:  # each shown one way or another as extensions and iframe_hosts change
            body += ["Решение принято ТО.\nНа ~~собрании~~ ==заседании== президиума.",
                     "Охрана труда\n:   Раздел работы профсоюза.",
                     '<iframe src="https://rutube.ru/play/embed/12345"></iframe>', "*[ТО]: территориальная организация"]
        if post.more:
            body.insert(1, "<!-- more -->")
        if post.heading:
            body.append("## Итоги\n\nИтоги подведены.")
        if post.link is not None and post.link in self.posts:
            number, anchor = post.link
            body.append(f"См. [другую новость]({self.link_to(path, number, anchor)}).")
        return "\n".join(lines) + "\n---\n\n" + "\n\n".join(body) + "\n"

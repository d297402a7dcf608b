"""Read stage: every post and page of every organization, as plain frozen data."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from fedsite.model.slugs import MAX_SLUG, slug as make_slug, tag_url

from fedsite.model.dates import DateError, date_from_filename, parse_date, shown
from fedsite.model.diagnostics import Diagnostics
from fedsite.model.schema import EVENT_FIELDS, PAGE_FIELDS, POST_FIELDS, as_list, check_fields, is_text, is_web_url
from fedsite.read.settings import Settings
from fedsite.read.symlinks import link_refusal, real_repo, refusal_message, walk
from fedsite.read.tree import CONTENT_DIRS, Org, internal_error
from fedsite.model.textfile import decode_text, read_text, unreadable
from fedsite.model.yamlfile import YamlDoc, parse_mapping

FRONT_MATTER = re.compile(r"^---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|$)", re.S)
SLUG_OK = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class Event:
    """An event a post announces: a webinar, seminar, video conference."""

    start: datetime
    end: datetime | None
    place: str
    online: str


@dataclass(frozen=True)
class Source:
    """A Markdown file's front matter, and where its body starts (the body itself is read again
    only to render it: 61k bodies held to the end of a build were half of its memory)."""

    file: str  # absolute path, kept as text: unpickling 61k Path objects was a second of every build
    rel: str  # repository-relative path
    meta: dict[str, Any]
    lines: dict[str, int]  # file line of each front-matter key
    body_digest: str  # sha256 of the body: what the rendering depends on
    body_line: int  # file line where the body starts (1-based)
    body_offset: int  # character where the body starts in the file's text

    @property
    def path(self) -> Path:
        return Path(self.file)

    def doc(self) -> YamlDoc:
        return YamlDoc(self.meta, self.lines, 2 if self.lines else 1)

    def validated(self) -> Source:
        """The source once its fields live in a Post or Page: front matter dropped (it was most of the
        read cache and of the memory every later stage carries)."""
        return replace(self, meta={}, lines={})

    def read_body(self) -> str:
        """The body as the file holds it now ('' if it can no longer be read)."""
        try:
            return read_text(self.path)[self.body_offset:]
        except (OSError, UnicodeDecodeError):
            return ""


def _source(path: Path, rel: str, meta: dict, lines: dict, text: str, body_line: int, offset: int) -> Source:
    digest = hashlib.sha256(text[offset:].encode()).hexdigest()
    return Source(str(path), rel, meta, lines, digest, body_line, offset)


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


@dataclass(frozen=True)
class Page:
    """A page of an organization (or a shared page when org is ''); `url` relative to the site root."""

    org: str
    source: Source
    url: str
    title: str
    order: float
    menu_path: tuple[str, ...]  # folder names from pages/ down to the file


def split_front_matter(path: Path, repo: Path, diags: Diagnostics) -> Source | None:
    """Read a Markdown file and parse its front matter, with line numbers for every key."""
    rel = path.relative_to(repo).as_posix()
    if path.is_symlink():  # the readers' walks refuse links already; index.md is looked at here
        why = link_refusal(os.path.realpath(path), real_repo(repo))
        if why:
            diags.add(path, 1, refusal_message(why, "file"))
            return None
    try:
        text = _document_text(path)
    except DocumentTooLarge as e:
        diags.add(path, 1, f"файл слишком большой: {e.size / 2**20:.1f} МБ, а новость или страница может "
                           f"занимать не больше {MAX_DOCUMENT // 2**20} МБ; разделите текст на части, "
                           "а фотографии и документы положите в assets/ и дайте на них ссылки")
        return None
    except (UnicodeDecodeError, OSError) as e:
        diags.add(path, 1, unreadable(e))
        return None
    from fedsite.read.limits import check_markdown  # bounded inputs: what no renderer could afford is not rendered
    too_costly = check_markdown(text)
    for line, message in too_costly:
        diags.add(path, line, message)
    if too_costly:
        return None
    from fedsite.read.lint import lint_markdown  # links, pictures, headings that would not render as meant
    for line, message in lint_markdown(text):
        diags.add(path, line, message)
    m = FRONT_MATTER.match(text)
    if not m:
        if text.startswith("---\n"):
            diags.add(path, 1, "блок полей в начале файла не закрыт: добавьте строку --- после последнего поля")
            return None
        return _source(path, rel, {}, {}, text, 1, 0)
    doc = parse_mapping(m.group(1) or "", path, diags, line_offset=1)
    if doc is None:
        return None
    body_line = text[: m.end()].count("\n") + 1
    return _source(path, rel, doc.data, doc.lines, text, body_line, m.end())


MAX_DOCUMENT = 2 * 2**20  # bytes of one Markdown file: a long article is 100 KB; more is a mistake


class DocumentTooLarge(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


def _document_text(path: Path) -> str:
    """A Markdown file's text as read_text gives it, refused beyond MAX_DOCUMENT bytes unread."""
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size  # not read(MAX_DOCUMENT + 1): a 2 MB buffer a post was 3x slower
        if size > MAX_DOCUMENT:
            raise DocumentTooLarge(size)
        data = f.read()
    return decode_text(data)


def key_line(source: Source, key: str) -> int:
    return source.lines.get(key, 1)


def local_file(source: Source, ref: str, org: Org, diags: Diagnostics, field: str) -> str:
    """Resolve a path written relative to the file: its path in the site, or '' after reporting."""
    if is_web_url(ref):
        return ref
    # normpath, not resolve(): read_assets already refuses symlinks that lead out of the repository.
    target = os.path.normpath(os.path.join(source.path.parent, ref))
    inner = os.path.relpath(target, org.folder).replace(os.sep, "/")
    if inner.startswith("../") or inner.split("/", 1)[0] not in CONTENT_DIRS:
        diags.add(source.path, key_line(source, field),
                  f"файл «{ref}» лежит за пределами папки организации; положите его в assets/")
        return ""
    if not os.path.isfile(target):
        diags.add(source.path, key_line(source, field),
                  f"файл «{ref}» не найден; проверьте имя и путь относительно этой новости")
        return ""
    return inner


def read_posts(org: Org, repo: Path, settings: Settings, projects: dict, diags: Diagnostics,
               urls: SiteUrls | None = None) -> list[Post]:
    """Every post of one organization, each validated; a broken post is reported and skipped. With
    `urls`, each post's address and its tags' pages are claimed there (see SiteUrls)."""
    posts = []
    for path in markdown_files(org.folder / "posts", repo, diags):
        try:
            source = split_front_matter(path, repo, diags)
            post = _post(source, org, settings, projects, diags) if source else None
        except Exception as e:  # noqa: BLE001 (content never gives a traceback: the file is named instead)
            diags.add(path, 1, internal_error(e))
            continue
        if post and len(post.slug) > MAX_SLUG:
            diags.add(path, key_line(source, "slug"), f"адрес «{post.slug[:40]}…» слишком длинный: "
                                                      f"{len(post.slug)} знаков, можно не больше {MAX_SLUG}; "
                                                      "сократите поле slug")
            continue
        if post:
            posts.append(post)
            if urls is not None:
                urls.claim_post(post, key_line(source, "slug"), key_line(source, "tags"))
    return posts


MD_FIX = "замените её файлом"


def markdown_files(folder: Path, repo: Path, diags: Diagnostics) -> list[Path]:
    """The .md files below a posts/ or pages/ folder, in path order. Links that leave the repository,
    lead into .git, go round a loop or nowhere are reported (other files' by read_assets) and skipped."""
    listing = walk(str(folder), real_repo(repo), folder.name)
    for path, why, kind in listing.refused:
        if kind == "folder" or path.endswith(".md"):
            diags.add(path, 1, refusal_message(why, kind, MD_FIX if kind == "file" else ""))
    return [Path(entry.path) for name, entry in listing.files if name.endswith(".md")]


def _post(source: Source, org: Org, settings: Settings, projects: dict, diags: Diagnostics) -> Post | None:
    meta = source.meta
    doc = source.doc()
    file_date, rest = date_from_filename(source.path.stem, settings.tz)
    ok = check_fields(doc, POST_FIELDS, source.path, diags)
    when = _date(source, "date", settings, diags) if meta.get("date") is not None else file_date
    if when is None and meta.get("date") is None:
        diags.add(source.path, doc.first_line, "нет даты: добавьте поле «date: 17.03.2024» "
                                               "или начните имя файла с даты: 2024-03-17-…")
    updated = _date(source, "updated", settings, diags) if meta.get("updated") is not None else None
    slug = str(_text(meta, "slug") or make_slug(rest or source.path.stem) or "post")  # a list: check_fields said so
    if not SLUG_OK.match(slug):
        diags.add(source.path, key_line(source, "slug"), f"адрес «{slug}» недопустим: только строчные "
                                                          "латинские буквы, цифры и дефис")
        ok = False
    for key in ("tags", "projects"):
        if isinstance(meta.get(key), list) and any(isinstance(v, (dict, list)) for v in meta[key]):
            diags.add(source.path, key_line(source, key), f"в поле «{key}» должен быть простой список слов, "
                                                          "например: [спорт, конкурс]")
            ok = False
    project_ids = tuple(as_list(meta.get("projects")))
    for pid in project_ids:
        if projects is not None and pid not in projects:
            diags.add(source.path, key_line(source, "projects"),
                      f"проект «{pid}» не найден в shared/data/projects.yml; есть: {', '.join(projects)}")
            ok = False
    media = {f: local_file(source, str(meta[f]), org, diags, f) if _text(meta, f) else ""
             for f in ("cover", "audio", "video")}
    event = _event(source, meta.get("event"), settings, diags)
    if not ok or when is None or (meta.get("updated") is not None and updated is None):
        return None
    if any(meta.get(f) and not media[f] for f in media) or (meta.get("event") and event is None):
        return None
    return Post(
        org=org.id, source=source.validated(), post_id=str(meta.get("id") or source.path.stem), slug=slug,
        url=f"posts/{slug}.html", title=str(meta["title"]), date=when, updated=updated,
        tags=tuple(as_list(meta.get("tags"))), projects=project_ids,
        summary=str(meta.get("summary") or ""), author=str(meta.get("author") or ""),
        draft=bool(meta.get("draft")), event=event, **media,
    )


def _date(source: Source, key: str, settings: Settings, diags: Diagnostics) -> datetime | None:
    try:
        return parse_date(source.meta[key], settings.tz)
    except DateError as e:
        diags.add(source.path, key_line(source, key), f"поле «{key}»: {e}")
        return None


def _text(meta: dict, key: str) -> Any:
    """A field's value if it is text (a number counts), else None: a wrong shape is reported once,
    by check_fields, not again with a Python repr of the value."""
    value = meta.get(key)
    return value if is_text(value) and str(value) != "" else None


def _event_line(source: Source, key: str) -> int:
    """The line of event.<key>, else of event."""
    return source.lines.get(f"event.{key}") or key_line(source, "event")


def _event(source: Source, value: Any, settings: Settings, diags: Diagnostics) -> Event | None:
    if not isinstance(value, dict):
        return None
    line = key_line(source, "event")
    unknown = [k for k in value if k not in EVENT_FIELDS]
    if unknown:
        diags.add(source.path, _event_line(source, unknown[0]), f"неизвестное поле мероприятия "
                                                                f"«{unknown[0]}»; допустимы: " + ", ".join(EVENT_FIELDS))
        return None
    for key in ("place", "online"):
        if value.get(key) is not None and not is_text(value[key]):
            diags.add(source.path, _event_line(source, key), f"event.{key} ({EVENT_FIELDS[key]}) должно быть "
                                                             f"текстом, а записано: {shown(value[key])}")
            return None
    times = {}
    for key in ("start", "end"):
        if value.get(key) is None:
            continue
        try:
            times[key] = parse_date(value[key], settings.tz)
        except DateError as e:
            diags.add(source.path, _event_line(source, key), f"event.{key}: {e}")
            return None
    if "start" not in times:
        diags.add(source.path, line, "у мероприятия нет начала: добавьте «start: 17.03.2024 10:00»")
        return None
    if "end" in times and times["end"] < times["start"]:
        diags.add(source.path, line, "мероприятие заканчивается раньше, чем начинается; проверьте end")
        return None
    online = str(value.get("online") or "")
    if online and not is_web_url(online):
        diags.add(source.path, _event_line(source, "online"), f"event.online «{online}»: пишите полный адрес, "
                                                              "начиная с https://")
        return None
    return Event(times["start"], times.get("end"), str(value.get("place") or ""), online)


def read_pages(folder: Path, org_id: str, repo: Path, diags: Diagnostics) -> list[Page]:
    """The pages under a pages/ folder (an organization's or shared/pages)."""
    pages = []
    for path in markdown_files(folder, repo, diags):
        try:
            page = _page(path, folder, org_id, repo, diags)
        except Exception as e:  # noqa: BLE001 (as in read_posts)
            diags.add(path, 1, internal_error(e))
            continue
        if page is not None:
            pages.append(page)
    return pages


def _page(path: Path, folder: Path, org_id: str, repo: Path, diags: Diagnostics) -> Page | None:
    """One page, or None after reporting why not."""
    source = split_front_matter(path, repo, diags)
    if source is None:
        return None
    meta = source.meta
    check_fields(source.doc(), PAGE_FIELDS, path, diags)
    parts = path.relative_to(folder).with_suffix("").parts
    url = "pages/" + "/".join(make_slug(p) or "page" for p in parts) + ".html"
    title = str(meta.get("title") or _first_heading(source.read_body()) or path.stem)
    try:
        order = float(meta.get("order", 100))
    except (TypeError, ValueError):
        diags.add(path, key_line(source, "order"), "поле «order» должно быть числом")
        order = 100.0
    return Page(org_id, source.validated(), url, title, order, parts[:-1])


def _first_heading(body: str) -> str:
    m = re.search(r"^#\s+(.+?)\s*#*\s*$", body, re.M)
    return m.group(1) if m else ""


def read_assets(org: Org, repo: Path, diags: Diagnostics) -> list[tuple[str, str]]:
    """The files a site publishes as they are: its assets/ and non-Markdown files beside posts and pages.
    Links that may not be followed are reported (and .md ones, and folders in posts/ and pages/, by the
    readers of posts and pages)."""
    out = []
    repo_real = real_repo(repo)
    for top in ("assets", "posts", "pages"):
        listing = walk(str(org.folder / top), repo_real, top)
        for path, why, kind in listing.refused:
            if (kind == "folder" and top == "assets") or (kind != "folder" and not path.endswith(".md")):
                diags.add(path, 1, refusal_message(why, kind, "положите сюда сам файл" if kind == "file" else ""))
        out += [(entry.path, name) for name, entry in listing.files if not name.endswith(".md")]
    return out


def check_page_urls(pages: list[Page], diags: Diagnostics) -> None:
    """Two pages of one site that would be written to the same address are an error naming both."""
    seen: dict[str, Page] = {}
    for page in pages:
        if page.url in seen:
            diags.add(page.source.path, 1, f"страница получит тот же адрес {page.url}, что и "
                                           f"{seen[page.url].source.rel}; переименуйте один из файлов")
        else:
            seen[page.url] = page


# The pages a site makes itself, by URL: a post, page, tag or file may not take one (README: URLs).
GENERATED = {
    "posts/index.html": "список новостей", "posts/events.html": "страница «Мероприятия»",
    "posts/archive/index.html": "архив новостей", "posts/tags/index.html": "список меток",
    "posts/projects/index.html": "список проектов", "pages/about.html": "страница «О нас»",
    "pages/directory.html": "страница «Организации»", "pages/monitoring.html": "страница «Мониторинг»",
}
GENERATED_FOLDERS = {"posts/archive": "архив новостей", "posts/tags": "метки", "posts/projects": "проекты",
                     "posts/page": "страницы списка новостей"}
NUMBERED = {"posts/page/": "страница списка новостей", "posts/archive/": "архив новостей за год",
            "pages/monitoring-": "мониторинг за год"}
NUMBERED_STARTS = tuple(NUMBERED)
NUMBERED_URL = re.compile(r"posts/page/\d+\.html|posts/archive/\d+\.html|pages/monitoring-\d+\.(?:html|csv|json)")


class SiteUrls:
    """Who takes each URL of one site: the pages the site makes itself, posts, tag pages, pages and
    published files. A URL one would take from another is an error naming both (two posts, or two
    pages, are reported by check_unique_urls and check_page_urls)."""

    def __init__(self, diags: Diagnostics, projects: dict | None = None) -> None:
        self.diags = diags
        self.generated = dict(GENERATED)
        for pid, project in (projects or {}).items():
            title = project.get("title", pid) if isinstance(project, dict) else pid
            self.generated[f"posts/projects/{pid}.html"] = f"страница проекта «{title}»"
            for ext in (".xml", ".atom.xml"):
                self.generated[f"posts/projects/{pid}{ext}"] = f"лента проекта «{title}»"
        self.taken: dict[str, tuple[str, str, Path | str]] = {}  # url -> (kind, what, file)

    def made_by_site(self, url: str) -> str | None:
        """What the site itself writes at `url`, if anything."""
        if url in self.generated:
            return self.generated[url]
        if url.startswith(NUMBERED_STARTS) and NUMBERED_URL.fullmatch(url):
            return next(what for start, what in NUMBERED.items() if url.startswith(start))
        return None

    def claim(self, url: str, kind: str, what: str, path: Path | str, line: int, fix: str) -> None:
        """`what` (a post, a tag, a page, a file: kind names which) at `path` would be written at `url`."""
        taken = self.taken.get(url)
        if taken is not None:  # mostly a tag again: nothing to do
            if taken[0] != kind or (kind == "tag" and taken[1] != what):
                self.diags.add(path, line, f"{what} получит тот же адрес «{url}», что и {taken[1]} "
                                           f"({self.diags.relative(taken[2])}); {fix}")
            return
        made = self.made_by_site(url)
        if made is not None:
            self.diags.add(path, line, f"{what} получит адрес «{url}», а он занят страницей, которую сайт "
                                       f"создаёт сам ({made}); {fix}")
            return
        self.taken[url] = (kind, what, path)

    def claim_post(self, post: Post, slug_line: int, tags_line: int) -> None:
        self.claim(post.url, "post", "новость", post.source.file, slug_line,
                   "задайте в поле slug другой адрес или переименуйте файл")
        for tag in dict.fromkeys(post.tags):
            self.claim(tag_url(tag), "tag", f"метка «{tag}»", post.source.file, tags_line,
                       "пишите одну метку везде одинаково или выберите другую")

    def claim_pages(self, pages: list[Page]) -> None:
        for page in pages:
            self.claim(page.url, "page", "страница", page.source.path, 1, "переименуйте файл")

    def claim_files(self, files: list[tuple[str, str]]) -> None:
        for source, dest in files:
            self.claim(dest, "file", "файл", source, 1, "переименуйте файл")
            folders = dest.split("/")[:-1]
            if dest in GENERATED_FOLDERS:
                self.diags.add(source, 1, f"файл получит адрес «{dest}», а там папка, которую сайт создаёт сам "
                                          f"({GENERATED_FOLDERS[dest]}); переименуйте файл")
            for n in range(2, len(folders) + 1):  # a folder where a page or a file of the site goes
                folder = "/".join(folders[:n])
                taken, made = self.taken.get(folder), self.made_by_site(folder)
                if taken or made:
                    who = (f"{taken[1]} ({self.diags.relative(taken[2])})" if taken
                           else f"страница, которую сайт создаёт сам ({made})")
                    self.diags.add(source, 1, f"папка «{folder}» получит тот же адрес, что и {who}; "
                                              "переименуйте папку")
                    break

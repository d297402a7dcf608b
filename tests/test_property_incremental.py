"""Cached builds equal builds from scratch, whatever edits come between them (issue 15, item 7).

A hypothesis state machine keeps a small federation as a model (organizations, posts, pages, assets,
projects, shared pages, settings, theme, the clock) and writes it out as repository files. Each rule
is one edit a federation sees; after every step the federation is built with the cache into the
same public/ folder (as CI does) and without a cache into a fresh folder, and the two trees must be
the same byte for byte. Every edit leaves valid content: the build must succeed without a problem.

The suite runs a bounded number of steps (about a minute); `python bench/property.py` runs the same
machine for as long as it is asked to (FEDSITE_PROPERTY_EXAMPLES, FEDSITE_PROPERTY_STEPS here)."""

from __future__ import annotations

import difflib
import os
import posixpath
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, Phase, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule, \
    run_state_machine_as_test

from fedsite.build.pipeline import build
from fedsite.model.diagnostics import Diagnostics

from conftest import FIXTURES, PROJECT
from imagebytes import image_bytes

EXAMPLES = int(os.environ.get("FEDSITE_PROPERTY_EXAMPLES", "6"))
STEPS = int(os.environ.get("FEDSITE_PROPERTY_STEPS", "10"))

MSK = timezone(timedelta(hours=3))
START = datetime(2026, 6, 1, 12, 0, tzinfo=MSK)
ZONES = ("Europe/Moscow", "Asia/Yekaterinburg", "Europe/Kaliningrad")
SITE_URLS = ("https://fed.example.org/", "https://example.com/federaciya/")
EXTENSIONS = ("nl2br", "def_list", "abbr", "pymdownx.tilde", "pymdownx.mark")
ORG_IDS = ("district-a", "district-b", "district-c", "school-1", "school-2", "school-3", "school-4",
           "kolledzh", "licej", "sad-7", "vuz")  # a removed or renamed organization's id comes back
WORDS = ("семинар", "конкурс", "учителя", "профсоюз", "встреча", "молодые", "педагоги", "отчёт", "собрание",
         "здоровье", "спартакиада", "лагерь", "выборы", "охрана", "труда", "юбилей", "ветераны", "форум")
TAGS = ("семинар", "обучение", "спорт", "лекция", "конкурс", "молодёжь")
PLACES = ("Белгород", "Алексеевка", "актовый зал", "онлайн")
DATE_STYLES = ("file", "iso-day", "iso-time", "ru-day", "ru-time", "offset")
NAME_STYLES = ("dated", "plain", "cyrillic")
SUBFOLDERS = ("", "", "2024/", "архив/")
ASSETS = ("foto-1.png", "foto-2.png", "lekciya.mp3", "polozhenie.pdf")
# What edit_theme changes ("pages": a template that reads every page, see Federation.themed)
THEME_EDITS = ("post.html", "partials/fed-footer.html", "home.html", "assets/fedsite.css", "pages")

THEME = {p.relative_to(PROJECT / "theme").as_posix(): p.read_bytes()
         for p in sorted((PROJECT / "theme").rglob("*")) if p.is_file()}
LOGO = (FIXTURES / "mini/shared/assets/logo.svg").read_bytes()

words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=5).map(lambda ws: " ".join(ws).capitalize())
titles = st.one_of(words, words.map(lambda t: f"Итоги: {t.lower()}"), words.map(lambda t: f"«{t}» №{len(t)}"))
payloads = st.binary(min_size=1, max_size=64)
# .png files are real images (the build publishes web copies of them): sizes below and above the 2048 px limit.
pictures = st.builds(lambda w, h, c: image_bytes(w, h, "PNG", (c, 90, 200 - c)), st.sampled_from((1, 7, 40, 600, 2100)),
                     st.integers(1, 40), st.integers(0, 200))


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
                "plugins:\n  - search:\n      lang: ru\n"
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


def mini_model() -> Federation:
    """The mini fixture federation, as a model: its scheduled post due a few days after START, and a
    member's post with a cover and one with a recording (which the ancestors' feeds carry)."""
    orgs = {
        "region": Org(None, "regional", "Региональная организация", short_name="Регион", email="region@example.org",
                      vk="https://vk.com/region", intro="Вводный текст региона.",
                      assets={"lekciya.mp3": b"ID3 lecture"}),
        "district-a": Org("region", "territorial", "Территориальная организация А", short_name="ТО А"),
        "school-1": Org("district-a", "primary", "Первичная организация школы 1", short_name="Школа 1",
                        assets={"lekciya.mp3": b"ID3 school", "foto-1.png": image_bytes(kind="PNG")}),
        "school-2": Org("district-a", "primary", "Первичная организация школы 2"),
        "district-b": Org("region", "territorial", "Территориальная организация Б",
                          pages={"kontakty.md": Page("Контакты района", "Страница района.", link=5)}),
    }
    day = date(2024, 1, 1)
    noon = datetime(2024, 1, 1, 12, 0)
    posts = {
        1: Post("region", "dated", date(2024, 12, 31), datetime(2024, 12, 31, 23, 30), "ru-time", "С Новым годом",
                projects=("obrazovanie",), event=(datetime(2024, 12, 31, 23, 30), 0, "Белгород")),
        2: Post("region", "plain", day, datetime(2024, 1, 1), "iso-day", "Черновик", draft=True),
        3: Post("region", "dated", date(2024, 3, 17), noon, "file", "Аудиолекция о здоровье", author="Лектор",
                tags=("лекция",), projects=("zdorovie",), audio="lekciya.mp3",
                paragraphs=("Первый абзац лекции.", "Второй абзац."), link=(8, True)),
        4: Post("region", "dated", date(2026, 6, 3), noon, "file", "Запланированная новость"),
        5: Post("district-a", "cyrillic", day, datetime(2024, 3, 17, 14, 30), "ru-time", "Семинар в районе",
                tags=("семинар", "обучение"), projects=("obrazovanie",)),
        6: Post("school-1", "dated", date(2025, 1, 1), datetime(2025, 1, 1, 0, 30), "offset", "Январь",
                cover="foto-1.png"),
        7: Post("school-1", "dated", date(2023, 6, 1), noon, "file", "Летний лагерь", audio="lekciya.mp3"),
        8: Post("school-1", "dated", date(2024, 5, 1), noon, "file", "Открытые уроки", tags=("обучение",),
                projects=("zdorovie", "obrazovanie"), heading=True),
    }
    return Federation(
        orgs=orgs, posts=posts,
        projects={"zdorovie": ("Профсоюз – территория здоровья", "Федеральный проект"),
                  "obrazovanie": ("Профсоюзное образование", "")},
        shared_pages={"obshchaya.md": ("Общая страница", "Эта страница есть на каждом сайте.")},
        shared_assets={"logo.svg": LOGO},
        settings={"title": "Мини-федерация", "time_zone": "Europe/Moscow", "feed_items": 5, "posts_per_page": 2})


# --- building and comparing ---------------------------------------------------------------------------

def build_or_fail(repo: Path, out: Path, **options: object) -> None:
    """A build that must succeed with no problem at all: the machine only writes valid content."""
    diags = Diagnostics(repo)
    result = build(repo, out, diags, **options)
    assert result is not None and not diags, "\n".join(str(p) for p in diags.sorted())


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def differences(cached: dict[str, bytes], fresh: dict[str, bytes]) -> str:
    """What differs between two output trees: files only in one, files whose bytes differ (with the
    first lines that differ of a few of them); empty when they are the same."""
    only_cached = sorted(cached.keys() - fresh.keys())
    only_fresh = sorted(fresh.keys() - cached.keys())
    changed = sorted(path for path in cached.keys() & fresh.keys() if cached[path] != fresh[path])
    if not (only_cached or only_fresh or changed):
        return ""
    report = [f"only in the cached build: {only_cached}", f"only in the fresh build: {only_fresh}",
              f"different bytes: {changed}"]
    for path in changed[:3]:
        diff = difflib.unified_diff(fresh[path].decode(errors="replace").splitlines(),
                                    cached[path].decode(errors="replace").splitlines(),
                                    f"fresh/{path}", f"cached/{path}", n=1, lineterm="")
        report += [line[:300] for line in list(diff)[:30]]
    return "\n".join(report)


# --- the machine --------------------------------------------------------------------------------------

class FederationEdits(RuleBasedStateMachine):
    """Edits of a federation, each followed by a cached and a fresh build that must agree."""

    def __init__(self, base: Path) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="fed-", dir=base))
        self.repo = self.root / "repo"
        self.repo.mkdir()
        self.model = mini_model()
        self.now = START
        self.next_post = 100
        self.next_page = 1
        self.jobs = 1
        self.git = False
        self.env = {key: os.environ.get(key) for key in ("FEDSITE_NOW", "SOURCE_DATE_EPOCH")}

    @initialize(jobs=st.sampled_from((1, 1, 2)), git=st.booleans())
    def write_federation(self, jobs: int, git: bool) -> None:
        """The mini federation, built by one or two processes, in a git work tree or not."""
        self.jobs, self.git = jobs, git
        self.sync()
        if git:
            (self.repo / ".gitignore").write_text("public/\n.cache/\n")
            self.run_git("init", "-q")
            self.commit(True)

    def teardown(self) -> None:
        for key, value in self.env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shutil.rmtree(self.root, ignore_errors=True)

    # Writing the model out

    def sync(self) -> None:
        """Make the repository's files what the model says, touching only the files that change."""
        wanted = self.model.files()
        files = [self.repo / "mkdocs.yml"]
        files += [p for top in ("sites", "shared", "theme") for p in (self.repo / top).rglob("*")]
        present = {p.relative_to(self.repo).as_posix(): p for p in files if p.is_file()}
        for rel in present.keys() - wanted.keys():
            present[rel].unlink()
        for rel, data in wanted.items():
            if rel not in present or present[rel].read_bytes() != data:
                path = self.repo / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
        for top in ("sites", "shared"):  # git keeps no empty folder
            for folder in sorted((self.repo / top).rglob("*"), key=lambda p: -len(p.parts)):
                if folder.is_dir() and not any(folder.iterdir()):
                    folder.rmdir()

    def run_git(self, *args: str) -> None:
        subprocess.run(["git", "-c", "user.name=CI", "-c", "user.email=ci@example.org", *args], cwd=self.repo,
                       check=True, capture_output=True)

    def commit(self, committed: bool) -> None:
        """As CI sees a push (every change committed), or a local build of a work tree left uncommitted."""
        if self.git and committed:
            self.run_git("add", "-A")
            self.run_git("commit", "-q", "--allow-empty", "-m", "edit")

    def done(self, what: str, data: st.DataObject) -> None:
        """After an edit: the files written, maybe committed, maybe one site previewed with the cache."""
        note(what)
        self.unlink_posts({n for n, post in self.model.posts.items() if not self.published(post)})
        self.sync()
        self.commit(data.draw(st.sampled_from((True, True, False)), label="committed"))
        preview = data.draw(st.sampled_from(("", "", "", "", "site", "serve")), label="preview")
        if preview:
            org = self.pick_org(data)
            root = next(org_id for org_id, o in self.model.orgs.items() if o.parent is None)
            self.set_clock()
            if preview == "site":  # `build --site ORG`: that site alone replaced in public/
                build_or_fail(self.repo, self.repo / "public", only=(org,), cache=self.repo / ".cache", jobs=self.jobs)
            else:  # `serve ORG`: the site and the root into a folder of their own, with the same cache
                build_or_fail(self.repo, self.root / "serve", only=(org, root), cache=self.repo / ".cache")
            note(f"then a preview ({preview}) of {org}")

    def set_clock(self) -> None:
        os.environ["FEDSITE_NOW"] = self.now.isoformat()
        os.environ["SOURCE_DATE_EPOCH"] = str(int(self.now.timestamp()))

    # The check after every step

    child_process = False  # True: the cached build as CI runs it, `python build.py build` (bench/property.py --child)

    @invariant()
    def cached_build_equals_fresh_build(self) -> None:
        self.set_clock()
        if self.child_process:
            run = subprocess.run([sys.executable, str(PROJECT / "build.py"), "--repo", str(self.repo), "build",
                                  "--jobs", str(self.jobs)], capture_output=True, text=True)
            assert run.returncode == 0, run.stdout + run.stderr
        else:
            build_or_fail(self.repo, self.repo / "public", cache=self.repo / ".cache", jobs=self.jobs)
        fresh = self.root / "fresh"
        shutil.rmtree(fresh, ignore_errors=True)
        build_or_fail(self.repo, fresh, cache=None, jobs=1)
        problem = differences(tree(self.repo / "public"), tree(fresh))
        assert not problem, f"the cached build differs from a build from scratch:\n{problem}"

    # Helpers for the rules

    def pick_post(self, data: st.DataObject) -> int:
        return data.draw(st.sampled_from(sorted(self.model.posts)), label="post")

    def pick_org(self, data: st.DataObject, *, root: bool = True) -> str:
        choices = sorted(org for org, o in self.model.orgs.items() if root or o.parent is not None)
        return data.draw(st.sampled_from(choices), label="organization")

    def when(self, data: st.DataObject, past: int = 1000, future: int = 10) -> datetime:
        """A local time around now: mostly past, sometimes scheduled."""
        days = data.draw(st.integers(-past, future), label="days from now")
        minutes = data.draw(st.integers(0, 24 * 60 - 1), label="minute of the day")
        day = (self.now + timedelta(days=days)).date()
        return datetime.combine(day, datetime.min.time()) + timedelta(minutes=minutes)

    def published(self, post: Post) -> bool:
        return not post.draft and self.model.moment(post) <= self.now

    def published_posts(self) -> list[int]:
        """The posts a link may lead to (one to a draft or a scheduled post is an error)."""
        return sorted(n for n, post in self.model.posts.items() if self.published(post))

    def unlink_posts(self, gone: set[int]) -> None:
        """Links to posts that are no more are taken out (`check` would refuse them)."""
        for post in self.model.posts.values():
            if post.link and post.link[0] in gone:
                post.link = None
        for org in self.model.orgs.values():
            for page in org.pages.values():
                if page.link in gone:
                    page.link = None

    def has_posts(self) -> bool:
        return bool(self.model.posts)

    def has_members(self) -> bool:
        return len(self.model.orgs) > 1

    # Posts

    @rule(data=st.data())
    def new_post(self, data: st.DataObject) -> None:
        org = self.pick_org(data)
        when = self.when(data)
        name = data.draw(st.sampled_from(NAME_STYLES), label="file name")
        style = data.draw(st.sampled_from(DATE_STYLES if name == "dated" else DATE_STYLES[1:]), label="date style")
        post = Post(org, name, when.date(), when, style, data.draw(titles, label="title"),
                    subfolder=data.draw(st.sampled_from(SUBFOLDERS), label="subfolder"),
                    tags=tuple(data.draw(st.lists(st.sampled_from(TAGS), max_size=3, unique=True), label="tags")),
                    projects=tuple(data.draw(st.lists(st.sampled_from(sorted(self.model.projects)), max_size=2,
                                                      unique=True), label="projects")),
                    paragraphs=tuple(data.draw(st.lists(words, min_size=1, max_size=3), label="paragraphs")),
                    more=data.draw(st.booleans(), label="more"), heading=data.draw(st.booleans(), label="heading"),
                    author=data.draw(st.sampled_from(("", "", "Иванова")), label="author"))
        number = self.next_post
        self.next_post += 1
        self.model.posts[number] = post
        self.done(f"new post {number} in {org}, dated {self.model.moment(post)}", data)

    @precondition(has_posts)
    @rule(data=st.data())
    def edit_post_text(self, data: st.DataObject) -> None:
        number = self.pick_post(data)
        post = self.model.posts[number]
        what = data.draw(st.sampled_from(("paragraph", "summary", "more", "heading", "author", "updated",
                                          "markup")),
                         label="edit")
        if what == "paragraph":
            post.paragraphs = post.paragraphs + (data.draw(words, label="paragraph"),)
        elif what == "summary":
            post.summary = "" if post.summary else data.draw(words, label="summary")
        elif what == "more":
            post.more = not post.more
        elif what == "markup":
            post.markup = not post.markup
        elif what == "heading":
            linked = any(p.link == (number, True) for p in self.model.posts.values())
            post.heading = True if linked else not post.heading
        elif what == "author":
            post.author = "" if post.author else "Петров"
        else:  # the day of this edit, or none
            post.updated = None if post.updated else self.now.date()
        self.done(f"post {number}: {what} edited", data)

    @precondition(has_posts)
    @rule(data=st.data())
    def retitle_post(self, data: st.DataObject) -> None:
        number = self.pick_post(data)
        self.model.posts[number].title = data.draw(titles, label="title")
        self.done(f"post {number} retitled", data)

    @precondition(has_posts)
    @rule(data=st.data())
    def redate_post(self, data: st.DataObject) -> None:
        """A new date, maybe in the future (scheduled), maybe by renaming a dated file."""
        number = self.pick_post(data)
        post = self.model.posts[number]
        when = self.when(data, past=800, future=15)
        if post.name == "dated" and data.draw(st.booleans(), label="rename the file"):
            post.day, post.date_style = when.date(), "file"
        else:
            post.when = when
            post.date_style = data.draw(st.sampled_from(DATE_STYLES[1:]), label="date style")
        self.done(f"post {number} dated {self.model.moment(post)}", data)

    @precondition(has_posts)
    @rule(data=st.data())
    def retag_post(self, data: st.DataObject) -> None:
        number = self.pick_post(data)
        post = self.model.posts[number]
        post.tags = tuple(data.draw(st.lists(st.sampled_from(TAGS), max_size=3, unique=True), label="tags"))
        post.projects = tuple(data.draw(st.lists(st.sampled_from(sorted(self.model.projects)), max_size=2,
                                                 unique=True), label="projects"))
        self.done(f"post {number}: tags {post.tags}, projects {post.projects}", data)

    @precondition(has_posts)
    @rule(data=st.data())
    def toggle_draft(self, data: st.DataObject) -> None:
        number = self.pick_post(data)
        self.model.posts[number].draft = not self.model.posts[number].draft
        self.done(f"post {number}: draft {self.model.posts[number].draft}", data)

    @precondition(has_posts)
    @rule(data=st.data())
    def readdress_post(self, data: st.DataObject) -> None:
        """A slug or an id of its own given or taken back: the page's URL or the feeds' id changes."""
        number = self.pick_post(data)
        post = self.model.posts[number]
        if data.draw(st.booleans(), label="slug"):
            post.slug = "" if post.slug else f"statya-{number}-{data.draw(st.integers(1, 3), label='version')}"
        else:
            post.post_id = "" if post.post_id else f"n-{number}"
        self.done(f"post {number}: slug «{post.slug}», id «{post.post_id}»", data)

    @precondition(has_posts)
    @rule(data=st.data())
    def move_post(self, data: st.DataObject) -> None:
        """The file renamed or put in another folder of posts/ (links to it follow, as `check` asks)."""
        number = self.pick_post(data)
        post = self.model.posts[number]
        post.subfolder = data.draw(st.sampled_from(SUBFOLDERS), label="subfolder")
        post.name = data.draw(st.sampled_from(NAME_STYLES), label="file name")
        if post.date_style == "file" and post.name != "dated":
            post.when, post.date_style = datetime.combine(post.day, datetime.min.time()), "iso-day"
        self.done(f"post {number} moved to {self.model.post_file(post, number)}", data)

    @precondition(has_posts)
    @rule(data=st.data())
    def delete_post(self, data: st.DataObject) -> None:
        number = self.pick_post(data)
        del self.model.posts[number]
        self.unlink_posts({number})
        self.done(f"post {number} deleted", data)

    @precondition(has_posts)
    @rule(data=st.data())
    def link_post(self, data: st.DataObject) -> None:
        """A link to another post, of this site or another one, maybe to its #итоги; or the link removed."""
        number = self.pick_post(data)
        post = self.model.posts[number]
        targets = self.published_posts()
        if not targets or post.link and data.draw(st.booleans(), label="remove"):
            post.link = None
        else:
            target = data.draw(st.sampled_from(targets), label="target")
            post.link = (target, self.model.posts[target].heading and data.draw(st.booleans(), label="anchor"))
        self.done(f"post {number} links to {post.link}", data)

    @precondition(has_posts)
    @rule(data=st.data())
    def set_event(self, data: st.DataObject) -> None:
        number = self.pick_post(data)
        post = self.model.posts[number]
        if post.event and data.draw(st.booleans(), label="remove"):
            post.event = None
        else:
            post.event = (self.when(data, past=30, future=20), data.draw(st.sampled_from((0, 2, 30)), label="hours"),
                          data.draw(st.sampled_from(PLACES), label="place"))
        self.done(f"post {number}: event {post.event}", data)

    @precondition(has_posts)
    @rule(data=st.data())
    def set_media(self, data: st.DataObject) -> None:
        """A cover (an image of the organization's assets or a web address) or an audio file, or neither."""
        number = self.pick_post(data)
        post = self.model.posts[number]
        assets = self.model.orgs[post.org].assets
        images = sorted(name for name in assets if name.endswith(".png"))
        post.cover = data.draw(st.sampled_from(["", f"https://example.org/kartinka-{number}.jpg", *images]),
                               label="cover")
        post.audio = data.draw(st.sampled_from(["", *(name for name in sorted(assets) if name.endswith(".mp3"))]),
                               label="audio")
        self.done(f"post {number}: cover «{post.cover}», audio «{post.audio}»", data)

    # Organizations

    def has_free_id(self) -> bool:
        return any(org not in self.model.orgs for org in ORG_IDS)

    @precondition(has_free_id)
    @rule(data=st.data())
    def add_org(self, data: st.DataObject) -> None:
        free = [org for org in ORG_IDS if org not in self.model.orgs]
        org_id = data.draw(st.sampled_from(free), label="id")
        parent = self.pick_org(data)
        kind = data.draw(st.sampled_from(("territorial", "primary")), label="kind")
        self.model.orgs[org_id] = Org(parent, kind, f"Организация {org_id}")
        for _ in range(data.draw(st.integers(0, 2), label="posts")):
            when = self.when(data)
            self.model.posts[self.next_post] = Post(org_id, "dated", when.date(), when, "file",
                                                    data.draw(titles, label="title"))
            self.next_post += 1
        self.done(f"organization {org_id} added under {parent}", data)

    @precondition(has_members)
    @rule(data=st.data())
    def remove_org(self, data: st.DataObject) -> None:
        """An organization leaves with its members."""
        org_id = self.pick_org(data, root=False)
        gone = self.model.subtree(org_id)
        shutil.rmtree(self.repo / self.model.folder(org_id))
        for other in gone:
            del self.model.orgs[other]
        numbers = {n for n, post in self.model.posts.items() if post.org in gone}
        for number in numbers:
            del self.model.posts[number]
        self.unlink_posts(numbers)
        self.done(f"organization {org_id} removed with {sorted(gone - {org_id})}", data)

    @precondition(has_members)
    @rule(data=st.data())
    def move_org(self, data: st.DataObject) -> None:
        """An organization moved under another parent (its folder moved; links to its posts follow)."""
        org_id = self.pick_org(data, root=False)
        parents = sorted(set(self.model.orgs) - self.model.subtree(org_id) - {self.model.orgs[org_id].parent})
        if not parents:
            return
        parent = data.draw(st.sampled_from(parents), label="new parent")
        old = self.repo / self.model.folder(org_id)
        self.model.orgs[org_id].parent = parent
        os.rename(old, self.repo / self.model.folder(org_id))
        self.done(f"organization {org_id} moved under {parent}", data)

    @precondition(has_free_id)
    @rule(data=st.data())
    def rename_org_folder(self, data: st.DataObject) -> None:
        """An organization's folder renamed: its id, its URL and its members' URLs change."""
        org_id = self.pick_org(data)
        new_id = data.draw(st.sampled_from([org for org in ORG_IDS if org not in self.model.orgs]), label="new id")
        old = self.repo / self.model.folder(org_id)
        self.model.orgs[new_id] = self.model.orgs.pop(org_id)
        for org in self.model.orgs.values():
            if org.parent == org_id:
                org.parent = new_id
        for post in self.model.posts.values():
            if post.org == org_id:
                post.org = new_id
        os.rename(old, self.repo / self.model.folder(new_id))
        self.done(f"organization {org_id} renamed {new_id}", data)

    @rule(data=st.data())
    def edit_card(self, data: st.DataObject) -> None:
        """site.yml: a new name (a parent's shows in its members' chains), short name, chair, contacts, social,
        the picture for previews, the kind."""
        org_id = self.pick_org(data)
        org = self.model.orgs[org_id]
        what = data.draw(st.sampled_from(("name", "short_name", "chair", "email", "vk", "image", "kind")),
                         label="field")
        if what == "name":
            org.name = data.draw(words, label="name") + " организация"
        elif what == "short_name":
            org.short_name = "" if org.short_name else data.draw(words, label="short name")
        elif what == "chair":
            org.chair = "" if org.chair else "Иванова Мария Петровна"
        elif what == "email":
            org.email = "" if org.email else f"{org_id}@example.org"
        elif what == "vk":
            org.vk = "" if org.vk else f"https://vk.com/{org_id}"
        elif what == "image":
            org.image = data.draw(st.sampled_from(["", *(a for a in sorted(org.assets) if a.endswith(".png"))]),
                                  label="image")
        elif org.parent is not None:
            org.kind = "primary" if org.kind == "territorial" else "territorial"
        self.done(f"{org_id}/site.yml: {what} edited", data)

    @rule(data=st.data())
    def edit_intro(self, data: st.DataObject) -> None:
        org_id = self.pick_org(data)
        org = self.model.orgs[org_id]
        org.intro = data.draw(st.one_of(st.just(""), words), label="intro")
        self.done(f"{org_id}/index.md: «{org.intro}»", data)

    @rule(data=st.data())
    def edit_page(self, data: st.DataObject) -> None:
        """An organization's page added, edited (text, title, menu order, a link to a post) or removed."""
        org_id = self.pick_org(data)
        pages = self.model.orgs[org_id].pages
        name = data.draw(st.sampled_from(sorted(pages) + [f"stranica-{self.next_page}.md"]), label="page")
        self.next_page += name not in pages
        if name in pages and data.draw(st.booleans(), label="remove"):
            del pages[name]
        else:
            page = pages.get(name) or Page("Страница", "Текст.")
            pages[name] = replace(
                page, title=data.draw(titles, label="title"), text=data.draw(words, label="text"),
                order=data.draw(st.one_of(st.none(), st.integers(1, 3)), label="order"),
                link=data.draw(st.sampled_from([None, *self.published_posts()]), label="link"))
        self.done(f"{org_id}/pages/{name} edited", data)

    @rule(data=st.data())
    def put_asset(self, data: st.DataObject) -> None:
        """A file added to an organization's assets, or one of them replaced (the same name, new bytes)."""
        existing = sorted((org_id, name) for org_id, org in self.model.orgs.items() for name in org.assets)
        used = sorted({(post.org, name) for post in self.model.posts.values() for name in (post.cover, post.audio)}
                      & set(existing))  # a post's cover or recording: what other sites' pages and feeds show
        if existing and data.draw(st.booleans(), label="replace"):
            choices = used if used and data.draw(st.booleans(), label="one a post uses") else existing
            org_id, name = data.draw(st.sampled_from(choices), label="asset")
        else:
            org_id = self.pick_org(data)
            name = data.draw(st.sampled_from(ASSETS), label="asset")
        self.model.orgs[org_id].assets[name] = data.draw(pictures if name.endswith(".png") else payloads, label="bytes")
        self.done(f"{org_id}/assets/{name} written", data)

    @rule(data=st.data())
    def remove_asset(self, data: st.DataObject) -> None:
        org_id = self.pick_org(data)
        assets = self.model.orgs[org_id].assets
        if not assets:
            return
        name = data.draw(st.sampled_from(sorted(assets)), label="asset")
        del assets[name]
        org = self.model.orgs[org_id]
        org.image = "" if org.image == name else org.image
        for post in self.model.posts.values():
            if post.org == org_id:
                post.cover = "" if post.cover == name else post.cover
                post.audio = "" if post.audio == name else post.audio
        self.done(f"{org_id}/assets/{name} removed", data)

    # What the federation shares

    @rule(data=st.data())
    def edit_projects(self, data: st.DataObject) -> None:
        """shared/data/projects.yml: a project added, retitled, described or removed (and taken off its posts)."""
        projects = self.model.projects
        pid = data.draw(st.sampled_from(sorted(set(projects) | {"sport", "molodezh"})), label="project")
        if pid in projects and data.draw(st.booleans(), label="remove"):
            del projects[pid]
            for post in self.model.posts.values():
                post.projects = tuple(p for p in post.projects if p != pid)
        else:
            projects[pid] = (data.draw(titles, label="title"), data.draw(st.one_of(st.just(""), words), label="text"))
        self.done(f"project {pid} edited", data)

    @rule(data=st.data())
    def edit_shared_page(self, data: st.DataObject) -> None:
        pages = self.model.shared_pages
        name = data.draw(st.sampled_from(sorted(set(pages) | {"obshchaya.md", "podpiska.md"})), label="page")
        if name in pages and data.draw(st.booleans(), label="remove"):
            del pages[name]
        else:
            pages[name] = (data.draw(titles, label="title"), data.draw(words, label="text"))
        self.done(f"shared/pages/{name} edited", data)

    @rule(data=st.data())
    def put_shared_asset(self, data: st.DataObject) -> None:
        """shared/assets/: the logo replaced, or a shared picture added or removed."""
        name = data.draw(st.sampled_from(("logo.svg", "plakat.png")), label="asset")
        if name == "plakat.png" and name in self.model.shared_assets and data.draw(st.booleans(), label="remove"):
            del self.model.shared_assets[name]
        else:
            version = data.draw(st.integers(0, 9), label="version")
            self.model.shared_assets[name] = LOGO.replace(b"</svg>", b"<!-- %d --></svg>" % version) \
                if name == "logo.svg" else data.draw(pictures, label="bytes")
        self.done(f"shared/assets/{name} edited", data)

    @rule(data=st.data())
    def change_setting(self, data: st.DataObject) -> None:
        """extra.federation in mkdocs.yml, the base URL or the Markdown extensions."""
        key = data.draw(st.sampled_from(("feed_items", "posts_per_page", "home_posts", "member_news",
                                         "rollup_items", "silent_days", "title", "time_zone", "site_url",
                                         "extensions", "iframe_hosts")), label="setting")
        if key == "site_url":
            self.model.site_url = data.draw(st.sampled_from(SITE_URLS), label="site_url")
        elif key == "iframe_hosts":
            hosts = data.draw(st.sampled_from((None, ["rutube.ru"], ["vk.com", "dzen.ru"])), label="hosts")
            if hosts is None:
                self.model.settings.pop(key, None)
            else:
                self.model.settings[key] = hosts
        elif key == "extensions":
            self.model.extensions = tuple(data.draw(st.lists(st.sampled_from(EXTENSIONS), unique=True),
                                                    label="extensions"))
        elif key == "time_zone":
            self.model.settings[key] = data.draw(st.sampled_from(ZONES), label="time zone")
        elif key == "title":
            self.model.settings[key] = data.draw(words, label="title")
        else:
            self.model.settings[key] = data.draw(st.integers(1, 6 if key != "silent_days" else 400), label=key)
        self.done(f"setting {key} changed", data)

    @rule(data=st.data())
    def edit_theme(self, data: st.DataObject) -> None:
        """A template, the footer partial or the style sheet edited; or the home page made to count every
        page (a template that reads `pages`: no page is reused from the last build then), or not."""
        what = data.draw(st.sampled_from(THEME_EDITS), label="theme edit")
        if what == "pages":
            self.model.theme["pages"] = 1 - self.model.theme.get("pages", 0)
        else:
            self.model.theme[what] = data.draw(st.integers(0, 3), label="revision")
        self.done(f"theme: {what} edited", data)

    # Time, and what CI keeps

    @rule(hours=st.integers(1, 24 * 40))
    def time_passes(self, hours: int) -> None:
        """The nightly build: a later clock moves events and dates 'days since the last post'."""
        self.now += timedelta(hours=hours)
        note(f"the clock moves to {self.now}")

    def has_scheduled(self) -> bool:
        return any(self.model.moment(post) > self.now for post in self.model.posts.values())

    @precondition(has_scheduled)
    @rule(minutes=st.integers(0, 90))
    def scheduled_post_comes_due(self, minutes: int) -> None:
        """The clock moves just past the next scheduled post's date: the build publishes it."""
        due = min(m for m in map(self.model.moment, self.model.posts.values()) if m > self.now)
        self.now = due.astimezone(MSK) + timedelta(minutes=minutes)
        note(f"the clock moves to {self.now}")

    @rule(what=st.sampled_from(("no public/", "save .cache/", "an older .cache/")))
    def ci_runner(self, what: str) -> None:
        """What a CI runner starts with: the cache restored but not public/; the cache saved now, to be
        restored later; or that older cache restored (the last save failed or was evicted), without public/."""
        kept = self.root / "kept-cache"
        if what == "save .cache/":
            shutil.rmtree(kept, ignore_errors=True)
            shutil.copytree(self.repo / ".cache", kept, symlinks=True)
        else:
            shutil.rmtree(self.repo / "public", ignore_errors=True)
        if what == "an older .cache/" and kept.exists():
            shutil.rmtree(self.repo / ".cache")
            shutil.copytree(kept, self.repo / ".cache", symlinks=True)
        note(f"CI runner: {what}")


def machine_settings(examples: int, steps: int, **options: object) -> settings:
    """`examples` sequences of up to `steps` edits, with no time limit on a step (a step is two builds)."""
    return settings(max_examples=examples, stateful_step_count=steps, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], **options)


def test_cached_builds_equal_fresh_builds_after_any_edits(tmp_path: Path) -> None:
    """The same sequences on every run (derandomized, no example database). A failure is reported as it
    was found, not shrunk (shrinking takes minutes): FEDSITE_PROPERTY_SHRINK=1 shrinks it, as the bench does."""
    phases = list(Phase) if os.environ.get("FEDSITE_PROPERTY_SHRINK") else [Phase.explicit, Phase.generate]
    run_state_machine_as_test(lambda: FederationEdits(tmp_path),
                              settings=machine_settings(EXAMPLES, STEPS, derandomize=True, database=None,
                                                        phases=phases, print_blob=False))


# --- what the machine found, shrunk to a plain test ----------------------------------------------------

def cached_and_fresh(repo: Path, fresh: Path) -> str:
    """A cached build into repo/public and a build from scratch into `fresh`: what differs between them."""
    build_or_fail(repo, repo / "public", cache=repo / ".cache")
    build_or_fail(repo, fresh, cache=None)
    return differences(tree(repo / "public"), tree(fresh))


def test_a_members_audio_file_replaced_updates_its_ancestors_feeds(mini: Path, tmp_path: Path) -> None:
    school = mini / "sites/region/district-a/school-1"
    (school / "assets").mkdir()
    (school / "assets/zvuk.mp3").write_bytes(b"ID3" + b"x" * 10)
    post = school / "posts/2024-05-01-uroki.md"
    post.write_text(post.read_text(encoding="utf-8").replace("tags: [обучение]", "tags: [обучение]\naudio: "
                                                             "../assets/zvuk.mp3"), encoding="utf-8")
    assert cached_and_fresh(mini, tmp_path / "fresh-1") == ""
    (school / "assets/zvuk.mp3").write_bytes(b"ID3" + b"x" * 1000)  # the same name, another length
    # district-a's and the region's feeds of their members' posts, and the region's project feeds
    assert cached_and_fresh(mini, tmp_path / "fresh-2") == ""

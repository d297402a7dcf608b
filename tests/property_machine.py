"""The property test's state machine, its base: a federation model written out as a repository, built
after every step with the cache and without it, the two outputs compared byte for byte; what the
rules share. The rules: tests/property_post_edits.py and tests/property_site_edits.py."""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

from hypothesis import note
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant

from fedsite.build.pipeline import build
from fedsite.model.diagnostics import Diagnostics

from conftest import PROJECT
from imagebytes import image_bytes
from property_model import LOGO, START, Federation, Org, Page, Post

ZONES = ("Europe/Moscow", "Asia/Yekaterinburg", "Europe/Kaliningrad")
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

words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=5).map(lambda ws: " ".join(ws).capitalize())
titles = st.one_of(words, words.map(lambda t: f"Итоги: {t.lower()}"), words.map(lambda t: f"«{t}» №{len(t)}"))
payloads = st.binary(min_size=1, max_size=64)
# .png files are real images (the build publishes web copies of them): sizes below and above the 2048 px limit.
pictures = st.builds(lambda w, h, c: image_bytes(w, h, "PNG", (c, 90, 200 - c)), st.sampled_from((1, 7, 40, 600, 2100)),
                     st.integers(1, 40), st.integers(0, 200))



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
class FederationMachine(RuleBasedStateMachine):
    """A federation edited by the rules (the subclasses), each edit followed by a cached and a fresh
    build that must agree."""

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

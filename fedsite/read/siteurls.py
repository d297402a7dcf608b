"""Who takes each URL of one site: the pages the site makes itself, posts, tags, pages and files."""

from __future__ import annotations

import re
from pathlib import Path

from fedsite.model.diagnostics import Diagnostics
from fedsite.model.slugs import tag_url
from fedsite.read.content import Page, Post


# The pages a site makes itself, by URL: a post, page, tag or file may not take one (README: URLs).
GENERATED = {
    "posts/index.html": "список новостей", "posts/events.html": "страница «Мероприятия»",
    "posts/archive/index.html": "архив новостей", "posts/tags/index.html": "список меток",
    "posts/projects/index.html": "список проектов", "pages/about.html": "страница «О нас»",
    "pages/directory.html": "страница «Организации»", "pages/monitoring.html": "страница «Мониторинг»",
    "reports/index.html": "страница «Открытые отчёты»",
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

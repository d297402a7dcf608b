"""Federation settings, declared once: `extra.federation` in the base mkdocs.yml."""

from __future__ import annotations

import importlib.machinery
import importlib.util
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fedsite.model.dates import shown
from fedsite.model.diagnostics import Diagnostics, UsageError
from fedsite.model.schema import is_web_url
from fedsite.read.symlinks import refusal_message, refused_link
from fedsite.model.yamlfile import load_file

DEFAULT_IFRAME_HOSTS = ("vk.com", "vkvideo.ru", "rutube.ru", "www.youtube.com", "youtube.com",
                        "www.youtube-nocookie.com", "dzen.ru")


@dataclass(frozen=True)
class DeploySettings:
    """Where `deploy --split` publishes (SPEC §10): extra.federation.deploy in mkdocs.yml."""

    root: str = ""  # the root site's repository, e.g. https://github.com/ORG/ORG.github.io.git
    subtree: str = ""  # each territorial subtree's repository, a template with {id}: https://github.com/ORG/{id}.git


@dataclass(frozen=True)
class Settings:
    """What the whole federation shares; each field is a key under extra.federation."""

    site_url: str = "http://localhost:8000/"  # the federation's base URL (mkdocs.yml site_url)
    time_zone: str = "Europe/Moscow"  # naive post times are in this zone
    feed_items: int = 20  # items per feed that gathers several organizations (roll-up, project)
    own_feed_items: int = 5  # items per site's own feed: one organization's news, a few a month
    posts_per_page: int = 10  # news list pagination
    home_posts: int = 5  # own latest posts on the home page
    member_news: int = 8  # members' latest posts on the home page
    rollup_items: int = 30  # latest posts on a project page or past events of a site with members
    silent_days: int = 90  # the report calls an organization silent after this many days
    iframe_hosts: tuple[str, ...] = DEFAULT_IFRAME_HOSTS  # video hosts allowed in <iframe>
    cname: str = ""  # custom domain for GitHub Pages, written as CNAME on deploy
    title: str = ""  # the federation's name, for feeds of the whole federation
    deploy: DeploySettings = DeploySettings()  # repositories of `deploy --split`

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


MAX_NUMBER = 100_000  # no setting is meant to be larger; silent_days of 10**12 overflowed a timedelta


def refuse_links_out(repo: Path, path: Path) -> None:
    """mkdocs.yml and the theme folder are read by MkDocs itself, whatever the other checks say: a link
    of theirs out of the repository (or into .git) stops everything, --keep-going or not."""
    try:
        refused = refused_link(path, repo)
    except ValueError:  # a custom_dir outside the repository: MkDocs reports it
        return
    if refused is not None:
        link, why = refused
        raise UsageError(f"{link.relative_to(repo).as_posix()}: "
                         f"{refusal_message(why, 'folder' if link != repo / 'mkdocs.yml' else 'file')}")


def load_settings(repo: Path, diags: Diagnostics) -> Settings:
    """Read site_url and extra.federation from the base mkdocs.yml, reporting bad values (each of
    the wrong shape is reported and its default used)."""
    path = repo / "mkdocs.yml"
    refuse_links_out(repo, path)
    doc = load_file(path, diags) if path.exists() else None
    if doc is not None:
        theme = doc.data.get("theme")
        custom = theme.get("custom_dir") if isinstance(theme, dict) else None
        refuse_links_out(repo, repo / (custom if isinstance(custom, str) and custom else "theme"))
    if doc is None:
        if not path.exists():
            diags.add(path, 1, "нет файла mkdocs.yml в корне репозитория")
        return Settings()
    extra = doc.data.get("extra") or {}
    fed = extra.get("federation") or {} if isinstance(extra, dict) else {}
    line = doc.lines.get("extra.federation") or doc.line("extra")
    if not isinstance(extra, dict) or not isinstance(fed, dict):
        diags.add(path, line, "extra.federation должно быть набором настроек вида «ключ: значение»")
        fed = {}
    known = {f.name: f for f in fields(Settings) if f.name != "site_url"}
    values: dict = {}
    site_url = doc.data.get("site_url") or Settings.site_url
    if not isinstance(site_url, str) or not is_web_url(site_url):
        diags.add(path, doc.line("site_url"), f"site_url должен быть адресом сайта, начиная с https://, "
                                              f"а записано: {shown(site_url)}")
        site_url = Settings.site_url
    values["site_url"] = site_url if site_url.endswith("/") else site_url + "/"
    for key, value in fed.items():
        spec = known.get(key)
        if spec is None:
            diags.add(path, line, f"неизвестная настройка extra.federation.{key}; допустимы: {', '.join(known)}")
            continue
        default = spec.default
        if key == "deploy":
            value = deploy_settings(value, path, deploy_line(path, line), diags)
        elif isinstance(default, int):
            if not (isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_NUMBER):
                diags.add(path, line, f"extra.federation.{key} должно быть целым числом от 1 до {MAX_NUMBER}, "
                                      f"а записано: {shown(value)}")
                continue
        elif isinstance(default, tuple):
            if not (isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)):
                diags.add(path, line, f"extra.federation.{key} должно быть списком имён сайтов, например "
                                      f"[vk.com, rutube.ru], а записано: {shown(value)}")
                continue
            value = tuple(value)
        elif not isinstance(value, str):
            diags.add(path, line, f"extra.federation.{key} должно быть текстом, а записано: {shown(value)}")
            continue
        values[key] = value
    settings = Settings(**values)
    try:
        settings.tz
    except (ZoneInfoNotFoundError, ValueError, OSError):
        diags.add(path, line, f"часовой пояс «{settings.time_zone}» неизвестен; пример: Europe/Moscow")
        settings = Settings(**{**values, "time_zone": "Europe/Moscow"})
    for problem in extension_problems(doc.data.get("markdown_extensions")):
        diags.add(path, doc.line("markdown_extensions"), problem)
    return settings


def deploy_settings(value: Any, path: Path, line: int, diags: Diagnostics) -> DeploySettings:
    """extra.federation.deploy: `root:` a repository, `subtree:` a repository template with {id}; each
    wrong value is reported and left empty (deploy --split then says what to write)."""
    if not isinstance(value, dict):
        diags.add(path, line, "extra.federation.deploy должно быть набором «root: адрес репозитория» и "
                              "«subtree: адрес с {id}», а записано: " + shown(value))
        return DeploySettings()
    found: dict[str, str] = {}
    for key, url in value.items():
        if key not in ("root", "subtree"):
            diags.add(path, line, f"неизвестная настройка extra.federation.deploy.{key}; допустимы: root, subtree")
        elif not isinstance(url, str) or not url.strip() or any(ch.isspace() for ch in url):
            diags.add(path, line, f"extra.federation.deploy.{key} должно быть адресом git-репозитория без "
                                  f"пробелов, например https://github.com/ORG/ORG.github.io.git, а записано: {shown(url)}")
        elif key == "subtree" and ("{id}" not in url or any(ch in url.replace("{id}", "") for ch in "{}")):
            diags.add(path, line, "extra.federation.deploy.subtree должно содержать {id} (код территориальной "
                                  "организации) и никаких других {…}, например https://github.com/ORG/{id}.git, "
                                  f"а записано: {shown(url)}")
        else:
            found[key] = url
    return DeploySettings(**found)


def deploy_line(path: Path, federation_line: int) -> int:
    """The line of `deploy:` under extra.federation (the YAML reader keeps lines two levels deep)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return federation_line
    for number in range(federation_line, len(lines)):
        if lines[number].strip().startswith("deploy:"):
            return number + 1
    return federation_line


def extension_problems(extensions: Any) -> list[str]:
    """What is wrong with mkdocs.yml's markdown_extensions, cheaply (no extension is loaded): each item
    a name or {name: its settings}, each name one Python-Markdown can find. An unknown name was a
    traceback in every render."""
    if extensions is None:
        return []
    if not isinstance(extensions, list):
        return [f"markdown_extensions должно быть списком расширений, а записано: {shown(extensions)}"]
    problems = []
    for item in extensions:
        if isinstance(item, dict) and len(item) == 1:
            (name, conf), = item.items()
            if conf is not None and not isinstance(conf, dict):
                problems.append(f"настройки расширения Markdown «{name}» должны быть набором полей, "
                                f"а записано: {shown(conf)}")
                continue
        elif isinstance(item, str):
            name = item
        else:
            problems.append(f"в markdown_extensions каждый пункт — имя расширения или «имя: настройки», "
                            f"а записано: {shown(item)}")
            continue
        if not _extension_exists(str(name)):
            problems.append(f"расширение Markdown «{name}» не найдено; проверьте его имя в markdown_extensions "
                            "или установите пакет, в котором оно есть")
    return problems


def _extension_exists(name: str) -> bool:
    """As Python-Markdown looks an extension up: an entry point (toc, tables), or a module
    (pymdownx.details, or module:Class). Found without importing anything (a build that renders
    nothing never imports Markdown)."""
    module = name.split(":", 1)[0]
    if _module_exists(module) or _module_exists(f"markdown.extensions.{module}"):
        return True
    from importlib.metadata import entry_points

    return any(ep.name == name for ep in entry_points(group="markdown.extensions"))


def _module_exists(dotted: str) -> bool:
    parts = dotted.split(".")
    if not all(part.isidentifier() for part in parts):
        return False
    try:
        spec = importlib.util.find_spec(parts[0])  # a top-level name: nothing is imported
    except (ImportError, ValueError):
        return False
    for part in parts[1:]:
        places = spec.submodule_search_locations if spec is not None else None
        if not places:
            return False
        spec = importlib.machinery.PathFinder.find_spec(part, list(places))
    return spec is not None


def usable_extensions(extensions: Any) -> list:
    """The items of markdown_extensions that extension_problems finds nothing wrong with (the render
    stage should be given these: an unknown one, reported at mkdocs.yml, failed every document)."""
    return [item for item in extensions if not extension_problems([item])] if isinstance(extensions, list) else []


def theme_folder(repo: Path) -> Path:
    """The federation's theme overrides: the custom_dir mkdocs.yml names (SPEC §2: theme/)."""
    doc = load_file(repo / "mkdocs.yml", Diagnostics(repo))
    theme = doc.data.get("theme") if doc is not None else None
    custom = theme.get("custom_dir") if isinstance(theme, dict) else None
    return repo / str(custom) if custom else repo / "theme"

"""Federation settings, declared once: `extra.federation` in the base mkdocs.yml."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .diagnostics import Diagnostics
from .yamlfile import load_file

DEFAULT_IFRAME_HOSTS = ("vk.com", "vkvideo.ru", "rutube.ru", "www.youtube.com", "youtube.com",
                        "www.youtube-nocookie.com", "dzen.ru")


@dataclass(frozen=True)
class Settings:
    """What the whole federation shares; each field is a key under extra.federation."""

    site_url: str = "http://localhost:8000/"  # the federation's base URL (mkdocs.yml site_url)
    time_zone: str = "Europe/Moscow"  # naive post times are in this zone
    feed_items: int = 20  # items per feed
    posts_per_page: int = 10  # news list pagination
    home_posts: int = 5  # own latest posts on the home page
    member_news: int = 8  # members' latest posts on the home page
    rollup_items: int = 30  # latest posts on a project page or past events of a site with members
    silent_days: int = 90  # the report calls an organization silent after this many days
    iframe_hosts: tuple[str, ...] = DEFAULT_IFRAME_HOSTS  # video hosts allowed in <iframe>
    cname: str = ""  # custom domain for GitHub Pages, written as CNAME on deploy
    title: str = ""  # the federation's name, for feeds of the whole federation

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


def load_settings(repo: Path, diags: Diagnostics) -> Settings:
    """Read site_url and extra.federation from the base mkdocs.yml, reporting bad values."""
    path = repo / "mkdocs.yml"
    doc = load_file(path, diags) if path.exists() else None
    if doc is None:
        if not path.exists():
            diags.add(path, 1, "нет файла mkdocs.yml в корне репозитория")
        return Settings()
    extra = doc.data.get("extra") or {}
    fed = extra.get("federation") or {} if isinstance(extra, dict) else {}
    known = {f.name: f for f in fields(Settings) if f.name != "site_url"}
    values: dict = {}
    site_url = str(doc.data.get("site_url") or Settings.site_url)
    values["site_url"] = site_url if site_url.endswith("/") else site_url + "/"
    for key, value in (fed.items() if isinstance(fed, dict) else []):
        spec = known.get(key)
        if spec is None:
            diags.add(path, doc.line("extra"), f"неизвестная настройка extra.federation.{key}; "
                                               f"допустимы: {', '.join(known)}")
            continue
        default = spec.default
        if isinstance(default, int) and not (isinstance(value, int) and value > 0):
            diags.add(path, doc.line("extra"), f"extra.federation.{key} должно быть целым числом больше 0")
            continue
        values[key] = tuple(value) if isinstance(default, tuple) else value
    settings = Settings(**values)
    try:
        settings.tz
    except (ZoneInfoNotFoundError, ValueError):
        diags.add(path, doc.line("extra"), f"часовой пояс «{settings.time_zone}» неизвестен; "
                                           "пример: Europe/Moscow")
        settings = Settings(**{**values, "time_zone": "Europe/Moscow"})
    return settings

"""Posts: every post of one organization read and validated (fields, dates, address, media, event)."""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from fedsite.model.dates import DateError, date_from_filename, parse_date, shown
from fedsite.model.diagnostics import Diagnostics
from fedsite.model.imagefiles import is_raster
from fedsite.model.schema import EVENT_FIELDS, POST_FIELDS, as_list, check_fields, is_text, is_web_url
from fedsite.model.slugs import MAX_SLUG, slug as make_slug
from fedsite.read.content import Event, Post
from fedsite.read.settings import Settings
from fedsite.read.siteurls import SiteUrls
from fedsite.read.source import Source, key_line, markdown_files, split_front_matter
from fedsite.read.tree import CONTENT_DIRS, Org, internal_error

SLUG_OK = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# Read from the schema, so that a field declared there is checked here: lists of words, files beside the post.
LIST_FIELDS = tuple(key for key, field in POST_FIELDS.items() if field.kind == "list")
FILE_FIELDS = tuple(key for key, field in POST_FIELDS.items() if field.kind == "file")


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
    for key in LIST_FIELDS:
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
             for f in FILE_FIELDS}
    event = _event(source, meta.get("event"), settings, diags)
    gallery = read_gallery(source, meta.get("gallery"), org, diags)
    if gallery and not media.get("cover") and not meta.get("cover"):
        media["cover"] = gallery[0]  # SPEC §4: the cover defaults to the gallery's first image
    if not ok or when is None or (meta.get("updated") is not None and updated is None):
        return None
    if any(meta.get(f) and not media[f] for f in media) or (meta.get("event") and event is None):
        return None
    if meta.get("gallery") is not None and gallery is None:
        return None
    return Post(
        org=org.id, source=source.validated(), post_id=str(meta.get("id") or source.path.stem), slug=slug,
        url=f"posts/{slug}.html", title=str(meta["title"]), date=when, updated=updated,
        tags=tuple(as_list(meta.get("tags"))), projects=project_ids,
        summary=str(meta.get("summary") or ""), author=str(meta.get("author") or ""),
        draft=bool(meta.get("draft")), event=event, gallery=gallery or (), **media,
    )


GALLERY_SHAPE = ("в поле «gallery» пишите список картинок рядом с новостью, например [../assets/foto-1.jpg, "
                 "../assets/foto-2.jpg], или одну папку с ними: ../assets/konkurs/")


def read_gallery(source: Source, value: Any, org: Org, diags: Diagnostics) -> tuple[str, ...] | None:
    """The gallery's images (site paths), from a list of files or one folder; None after reporting."""
    if value is None:
        return ()
    line = key_line(source, "gallery")
    if isinstance(value, list) and value and all(is_text(v) and str(v) for v in value):
        paths = tuple(local_file(source, str(v), org, diags, "gallery") for v in value)
        if not all(paths):
            return None
        return _only_images(source, paths, [str(v) for v in value], line, diags)
    if not is_text(value) or not str(value) or is_web_url(str(value)):
        diags.add(source.path, line, GALLERY_SHAPE)
        return None
    folder = os.path.normpath(os.path.join(source.path.parent, str(value)))
    inner = os.path.relpath(folder, org.folder).replace(os.sep, "/")
    outside = inner.startswith("../") or inner.split("/", 1)[0] not in CONTENT_DIRS
    if outside or not os.path.isdir(folder):
        where = "лежит за пределами папки организации" if outside else "не найдена"
        diags.add(source.path, line, f"папка галереи «{value}» {where}; положите фотографии в папку внутри assets/")
        return None
    names = sorted(n for n in os.listdir(folder) if is_raster(n) and os.path.isfile(os.path.join(folder, n)))
    if not names:
        diags.add(source.path, line, f"в папке галереи «{value}» нет фотографий (JPEG, PNG или WebP); "
                                     "положите их туда или уберите поле gallery")
        return None
    return tuple(f"{inner}/{n}" for n in names)


def _only_images(source: Source, paths: tuple[str, ...], written: list[str], line: int,
                 diags: Diagnostics) -> tuple[str, ...] | None:
    wrong = [w for p, w in zip(paths, written) if is_web_url(p) or not is_raster(p)]
    if wrong:
        diags.add(source.path, line, f"в галерее «{wrong[0]}» — не фотография в папке организации: в галерею "
                                     "кладут картинки JPEG, PNG или WebP рядом с новостью")
        return None
    return paths


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
    for key, spec in EVENT_FIELDS.items():
        if value.get(key) is not None and spec.kind != "date" and not is_text(value[key]):
            diags.add(source.path, _event_line(source, key), f"event.{key} ({spec.meaning}) должно быть "
                                                             f"текстом, а записано: {shown(value[key])}")
            return None
    times = {}
    for key, spec in EVENT_FIELDS.items():
        if value.get(key) is None or spec.kind != "date":
            continue
        try:
            times[key] = parse_date(value[key], settings.tz)
        except DateError as e:
            diags.add(source.path, _event_line(source, key), f"event.{key}: {e}")
            return None
    if "start" not in times:  # the one required sub-field (EVENT_FIELDS): the calendar places the event by it
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

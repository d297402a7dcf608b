"""Open yearly reports (SPEC §12): an organization's reports/<YYYY>.md, read and checked.

A report is also announced in the site's news and feeds on its approval date: its `post` is an
ordinary Post of the organization (same Source, so its Markdown is rendered once, with the posts).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from fedsite.model.dates import DateError, now, parse_date, russian_date, shown
from fedsite.model.diagnostics import Diagnostics
from fedsite.model.schema import APPROVED_FIELDS, REPORT_FIELDS, check_fields, is_text, is_web_url
from fedsite.read.content import Post
from fedsite.read.settings import Settings
from fedsite.read.source import Source, key_line, markdown_files, split_front_matter
from fedsite.read.symlinks import real_repo, refusal_message, walk
from fedsite.read.tree import CONTENT_DIRS, Org, internal_error

YEAR_FILE = re.compile(r"^reports/(\d{4})\.md$")
REPORT_URL = re.compile(r"^reports/(\d{4})\.html$")
DOCUMENT_TYPES = {".pdf": "PDF", ".docx": "DOCX"}
APPROVED_EXAMPLE = "approved: {date: 20.02.2026, body: заседание профкома}"


@dataclass(frozen=True)
class Report:
    """One organization's open report for a year, checked; `post` announces it in news and feeds."""

    org: str
    year: int
    title: str
    approved: datetime
    approved_by: str  # the body that approved it: «заседание профкома»
    document: str  # the signed report's site-relative path, or ''
    post: Post

    @property
    def document_type(self) -> str:
        return DOCUMENT_TYPES.get(os.path.splitext(self.document)[1].lower(), "")


def default_title(year: int) -> str:
    return f"Открытый отчёт за {year} год"


def report_url(year: int) -> str:
    return f"reports/{year}.html"


def report_id(year: int) -> str:
    """The report's post id: with the organization id, its feed items' never-changing id (SPEC §7)."""
    return f"report-{year}"


def report_year(post: Post) -> int | None:
    """The year of the report a post announces (None: an ordinary post)."""
    m = REPORT_URL.match(post.url)
    return int(m.group(1)) if m and post.post_id == report_id(int(m.group(1))) else None


def read_reports(org: Org, repo: Path, settings: Settings, diags: Diagnostics) -> list[Report]:
    """Every report of one organization, newest year first; a broken one is reported and skipped."""
    reports = []
    for path in markdown_files(org.folder / "reports", repo, diags):
        try:
            report = _report(path, org, repo, settings, diags)
        except Exception as e:  # noqa: BLE001 (content never gives a traceback: the file is named instead)
            diags.add(path, 1, internal_error(e))
            continue
        if report is not None:
            reports.append(report)
    return sorted(reports, key=lambda r: r.year, reverse=True)


def report_files(org: Org, repo: Path, diags: Diagnostics) -> list[tuple[str, str]]:
    """The files beside the reports (signed PDFs), published as they are."""
    listing = walk(str(org.folder / "reports"), real_repo(repo), "reports")
    for path, why, kind in listing.refused:
        if kind != "folder" and not path.endswith(".md"):
            diags.add(path, 1, refusal_message(why, kind, "положите сюда сам файл" if kind == "file" else ""))
    return [(entry.path, name) for name, entry in listing.files if not name.endswith(".md")]


def _report(path: Path, org: Org, repo: Path, settings: Settings, diags: Diagnostics) -> Report | None:
    name = path.relative_to(org.folder).as_posix()
    m = YEAR_FILE.match(name)
    if not m:
        diags.add(path, 1, f"имя файла «{name}» — не год: отчёт называется по году, за который он написан, "
                           "и лежит прямо в папке reports/, например reports/2025.md; переименуйте файл")
        return None
    year = int(m.group(1))
    current = now().astimezone(settings.tz).year
    if year > current:
        diags.add(path, 1, f"отчёт за {year} год: этот год ещё не наступил (сейчас {current}); "
                           "проверьте год в имени файла")
        return None
    source = split_front_matter(path, repo, diags)
    if source is None:
        return None
    ok = check_fields(source.doc(), REPORT_FIELDS, path, diags)
    approved = _approved(source, year, settings, diags) if isinstance(source.meta.get("approved"), dict) else None
    document = _document(source, org, diags)
    cover = _cover(source, org, diags)
    if not ok or approved is None or document is None or cover is None:
        return None
    when, body = approved
    meta = source.meta
    title = str(meta.get("title") or default_title(year))
    post = Post(org=org.id, source=source.validated(), post_id=report_id(year), slug=report_id(year),
                url=report_url(year), title=title, date=when, updated=None, tags=(), projects=(),
                summary=str(meta.get("summary") or ""), cover=cover, author="", draft=False, audio="",
                video="", event=None)
    return Report(org.id, year, title, when, body, document, post)


def _sub_line(source: Source, key: str) -> int:
    return source.lines.get(f"approved.{key}") or key_line(source, "approved")


def _approved(source: Source, year: int, settings: Settings, diags: Diagnostics) -> tuple[datetime, str] | None:
    """approved: {date, body}, or None after saying what is wrong."""
    value: dict[str, Any] = source.meta["approved"]
    path, line = source.path, key_line(source, "approved")
    unknown = [k for k in value if k not in APPROVED_FIELDS]
    if unknown:
        diags.add(path, _sub_line(source, unknown[0]), f"неизвестное поле «approved.{unknown[0]}»; допустимы: "
                                                       f"{', '.join(APPROVED_FIELDS)}, например: {APPROVED_EXAMPLE}")
        return None
    missing = [k for k, spec in APPROVED_FIELDS.items() if value.get(k) in (None, "")]
    if missing:
        diags.add(path, line, f"в поле «approved» нет «{missing[0]}» ({APPROVED_FIELDS[missing[0]].meaning}); "
                              f"пишите так: {APPROVED_EXAMPLE}")
        return None
    if not is_text(value["body"]):
        diags.add(path, _sub_line(source, "body"), f"approved.body (кем утверждён) должно быть текстом, "
                                                   f"а записано: {shown(value['body'])}")
        return None
    try:
        when = parse_date(value["date"], settings.tz)
    except DateError as e:
        diags.add(path, _sub_line(source, "date"), f"поле «approved.date»: {e}")
        return None
    if when.year < year:
        diags.add(path, _sub_line(source, "date"), f"отчёт за {year} год утверждён {russian_date(when)}, раньше, "
                                                   f"чем начался {year} год; проверьте approved.date или год "
                                                   "в имени файла")
        return None
    return when, str(value["body"])


def _local(source: Source, org: Org, field: str, diags: Diagnostics) -> str | None:
    """A file written relative to the report: its path in the site, '' for none, None after reporting."""
    value = source.meta.get(field)
    if not is_text(value) or str(value) == "":
        return ""  # absent, or a wrong shape that check_fields reported
    ref = str(value)
    target = os.path.normpath(os.path.join(source.path.parent, ref))
    inner = os.path.relpath(target, org.folder).replace(os.sep, "/")
    if inner.startswith("../") or inner.split("/", 1)[0] not in CONTENT_DIRS:
        diags.add(source.path, key_line(source, field), f"файл «{ref}» лежит за пределами папки организации; "
                                                        "положите его в reports/ или assets/")
        return None
    if not os.path.isfile(target):
        diags.add(source.path, key_line(source, field), f"файл «{ref}» не найден; проверьте имя (и большие и "
                                                        "маленькие буквы) и путь относительно этого отчёта")
        return None
    return inner


def _document(source: Source, org: Org, diags: Diagnostics) -> str | None:
    ref = source.meta.get("document")
    if is_text(ref) and is_web_url(str(ref)):
        diags.add(source.path, key_line(source, "document"), f"документ «{ref}» — адрес в интернете, а нужен файл: "
                                                             "положите подписанный отчёт (PDF или DOCX) рядом с "
                                                             "отчётом, например document: 2025.pdf")
        return None
    if is_text(ref) and os.path.splitext(str(ref))[1].lower() not in DOCUMENT_TYPES:
        diags.add(source.path, key_line(source, "document"), f"документ «{ref}» должен быть файлом PDF или DOCX; "
                                                             "сохраните отчёт в одном из этих форматов")
        return None
    return _local(source, org, "document", diags)


def _cover(source: Source, org: Org, diags: Diagnostics) -> str | None:
    ref = source.meta.get("cover")
    if is_text(ref) and is_web_url(str(ref)):
        return str(ref)
    return _local(source, org, "cover", diags)


def describe_approval(report: Report) -> str:
    """«Утверждён 20 февраля 2026 г.: заседание профкома»."""
    return f"Утверждён {russian_date(report.approved)}: {report.approved_by}"

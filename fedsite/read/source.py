"""A Markdown file as the read stage sees it (a Source): its front matter with the line of every key and
where its body starts, the text bounded in size and cost; and the .md files below a posts/ or pages/ folder."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from fedsite.model.diagnostics import Diagnostics
from fedsite.model.textfile import decode_text, read_text, unreadable
from fedsite.model.yamlfile import YamlDoc, parse_mapping
from fedsite.read.symlinks import link_refusal, real_repo, refusal_message, walk

FRONT_MATTER = re.compile(r"^---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|$)", re.S)


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


MD_FIX = "замените её файлом"


def markdown_files(folder: Path, repo: Path, diags: Diagnostics) -> list[Path]:
    """The .md files below a posts/ or pages/ folder, in path order. Links that leave the repository,
    lead into .git, go round a loop or nowhere are reported (other files' by read_assets) and skipped."""
    listing = walk(str(folder), real_repo(repo), folder.name)
    for path, why, kind in listing.refused:
        if kind == "folder" or path.endswith(".md"):
            diags.add(path, 1, refusal_message(why, kind, MD_FIX if kind == "file" else ""))
    return [Path(entry.path) for name, entry in listing.files if name.endswith(".md")]

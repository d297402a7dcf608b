"""Symbolic links (SPEC §11): which may be followed, the messages for those that may not, and the walk
of an organization's folder that follows links only inside the repository."""

from __future__ import annotations

import os
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path

# Symbolic links (SPEC §11). Only links are resolved: a path whose every link was followed from the
# repository's real folder is inside it, so a walk resolves what scandir reports as a link, nothing else.

LINK_FIX = {"file": "замените её файлом", "folder": "замените её папкой",
            "other": "удалите её или положите на её место сам файл"}


def real_repo(repo: Path | str) -> str:
    """The repository's real path, against which links are judged."""
    return os.path.realpath(repo)


def link_refusal(real: str, repo_real: str) -> str | None:
    """Why a link whose target's real path is `real` may not be followed, or None: it leaves the
    repository, or leads into a .git folder (where CI keeps its token)."""
    if real != repo_real and not real.startswith(repo_real + os.sep):
        return "outside"
    if f"{os.sep}.git{os.sep}" in real[len(repo_real):] + os.sep:
        return "git"
    return None


def refusal_message(why: str, kind: str, fix: str = "") -> str:
    """The Russian message for a refused path (`kind`: file, folder or other)."""
    fix = fix or LINK_FIX[kind]
    if why == "outside":
        return f"символическая ссылка ведёт за пределы репозитория; {fix}"
    if why == "git":
        return ("символическая ссылка ведёт в служебную папку .git (там настройки и ключи репозитория), "
                "публиковать её нельзя; удалите ссылку")
    if why == "loop":
        return "символическая ссылка ведёт в папку, которая её же и содержит (петля); удалите ссылку"
    if why == "dangling":
        return "символическая ссылка никуда не ведёт (того, на что она указывает, нет); удалите её"
    if why == "many":
        return (f"слишком много символических ссылок на папки (больше {MAX_FOLDER_LINKS} в одной папке "
                "организации); замените их самими папками")
    if why == "encoding":
        return ("имя записано не в кодировке UTF-8 (так бывает с файлами из архивов, сделанных в Windows); "
                "переименуйте файл или папку")
    if why == "gitdir":
        return "папка .git внутри содержимого не читается и не публикуется; уберите её отсюда"
    return "это не обычный файл и не папка (устройство, канал или сокет); удалите его"


def refused_link(path: Path, repo: Path) -> tuple[Path, str] | None:
    """The first link on the way from the repository to `path` that may not be followed, and why
    (for the few paths read outside organizations' folders: shared/, projects.yml)."""
    repo_real = real_repo(repo)
    here = repo
    for part in path.relative_to(repo).parts:
        here = here / part
        if here.is_symlink():
            why = link_refusal(os.path.realpath(here), repo_real)
            if why:
                return here, why
    return None



@dataclass
class Listing:
    """What lies below a folder of an organization, as the read stage may read it."""

    files: list[tuple[str, os.DirEntry]]  # (name below the folder's parent, entry): regular files
    links: list[tuple[str, str]]  # (name, real path) of every link followed, for the read cache key
    refused: list[tuple[str, str, str]]  # (path, why, file | folder | other): see refusal_message
    followed: int = 0  # links to folders followed


# Links to folders followed in one walk at most: links to links to the same folders, level after level,
# would be walked exponentially often without making a loop.
MAX_FOLDER_LINKS = 100


def walk(base: str, repo_real: str, inner: str) -> Listing:
    """Every file below `base` (named `inner`/… in the listing), depth-first in name order (the order of
    sorted paths), following links only inside the repository, outside .git, and never round a loop.
    One scandir per folder; only links are resolved."""
    listing = Listing([], [], [])
    real = None
    if os.path.islink(base):
        real = os.path.realpath(base)
        why = link_refusal(real, repo_real) or (None if os.path.isdir(real) else "dangling")
        if why:
            listing.refused.append((base, why, "folder" if os.path.isdir(real) else "other"))
            return listing
        listing.links.append((inner, real))
    _walk(base, inner, [(base, real)], repo_real, listing)
    return listing


def _walk(path: str, inner: str, stack: list[tuple[str, str | None]], repo_real: str, listing: Listing) -> None:
    try:
        with os.scandir(path) as found:
            entries = sorted(found, key=BY_NAME)
    except OSError:  # not a folder, gone, unreadable, or a name too long
        return
    for entry in entries:
        name = f"{inner}/{entry.name}"
        try:
            link = entry.is_symlink()
            is_dir = entry.is_dir()
            is_file = not is_dir and entry.is_file()
        except OSError:
            link, is_dir, is_file = False, False, False
        if entry.name == ".git":
            listing.refused.append((entry.path, "gitdir", "folder"))
            continue
        if not entry.name.isascii() and not is_utf8(entry.name):  # every later stage encodes names as UTF-8
            listing.refused.append((entry.path, "encoding", "folder" if is_dir else "file" if is_file else "other"))
            continue
        real = None
        if link:
            real = os.path.realpath(entry.path)
            listing.links.append((name, real))
            why = link_refusal(real, repo_real)
            if why is None and not (is_dir or is_file):
                why = "special" if os.path.exists(real) else "dangling"
            if why is None and is_dir and on_stack(real, stack):
                why = "loop"
            if why is None and is_dir:
                listing.followed += 1
                why = "many" if listing.followed > MAX_FOLDER_LINKS else None
            if why:
                listing.refused.append((entry.path, why, "folder" if is_dir else "file" if is_file else "other"))
                continue
        if is_dir:
            _walk(entry.path, name, [*stack, (entry.path, real)], repo_real, listing)
        elif is_file:
            listing.files.append((name, entry))
        else:
            listing.refused.append((entry.path, "special", "other"))


BY_NAME = attrgetter("name")


def is_utf8(name: str) -> bool:
    """Whether a file name the system gave is UTF-8 (else it holds surrogate escapes)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def on_stack(real: str, stack: list[tuple[str, str | None]]) -> bool:
    """Whether a folder link to `real` leads to a folder being walked or above one (a loop). Real paths
    of the folders walked are computed only now: links to folders are rare."""
    for path, known in stack:
        here = known or os.path.realpath(path)
        if here == real or here.startswith(real + os.sep):
            return True
    return False

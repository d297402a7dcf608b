"""The federation tree: every folder with a site.yml is an organization; asked for parents, members, URLs."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import Any

from fedsite.model.diagnostics import Diagnostics
from fedsite.model.schema import check_site_card
from fedsite.model.yamlfile import ParsedTexts, YamlDoc, load_file

ORG_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# posts, pages and assets are SPEC's; search is where Material writes its index.
RESERVED = {"posts", "pages", "assets", "search"}
CONTENT_DIRS = {"posts", "pages", "assets"}


@dataclass(frozen=True)
class Org:
    """One organization: its id, folder, place in the tree and its card (site.yml)."""

    id: str
    folder: Path
    rel: str  # repository-relative folder, posix
    parent: str | None
    members: tuple[str, ...]
    url_path: str  # '' for the root, 'alekseevka/school-1/' below it
    card: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.card.get("name") or self.id)

    @property
    def short_name(self) -> str:
        return str(self.card.get("short_name") or self.name)

    @property
    def kind(self) -> str:
        return str(self.card.get("kind") or "primary")


@dataclass(frozen=True)
class Tree:
    """The organizations by id, with the root's id; the one source of parents, members and URLs."""

    orgs: dict[str, Org]
    root: str

    def __getitem__(self, org_id: str) -> Org:
        return self.orgs[org_id]

    def chain(self, org_id: str) -> list[Org]:
        """The organization's ancestors from the root down, the organization itself last."""
        out = []
        current: str | None = org_id
        while current is not None:
            out.append(self.orgs[current])
            current = self.orgs[current].parent
        return out[::-1]

    def descendants(self, org_id: str) -> list[Org]:
        """All members, members of members and so on, depth-first in folder order."""
        out: list[Org] = []
        for member in self.orgs[org_id].members:
            out.append(self.orgs[member])
            out.extend(self.descendants(member))
        return out

    def in_order(self) -> list[Org]:
        """Every organization, root first, depth-first."""
        return [self.orgs[self.root], *self.descendants(self.root)]

    def owner_of(self, rel_path: str) -> Org | None:
        """The organization whose folder (not a member's) holds this repository-relative path."""
        best = None
        for org in self.orgs.values():
            if rel_path == org.rel or rel_path.startswith(org.rel + "/"):
                if best is None or len(org.rel) > len(best.rel):
                    best = org
        return best


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


def internal_error(e: BaseException) -> str:
    """The message for a file that made the build fail in a way no check foresaw."""
    return (f"файл не удалось обработать: внутренняя ошибка сборщика ({type(e).__name__}: {str(e)[:200]}); "
            "сообщите администратору федерации и приложите этот файл")


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
            entries = sorted(found, key=_NAME)
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
        if not entry.name.isascii() and not _utf8(entry.name):  # every later stage encodes names as UTF-8
            listing.refused.append((entry.path, "encoding", "folder" if is_dir else "file" if is_file else "other"))
            continue
        real = None
        if link:
            real = os.path.realpath(entry.path)
            listing.links.append((name, real))
            why = link_refusal(real, repo_real)
            if why is None and not (is_dir or is_file):
                why = "special" if os.path.exists(real) else "dangling"
            if why is None and is_dir and _on_stack(real, stack):
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


_NAME = attrgetter("name")


def _utf8(name: str) -> bool:
    """Whether a file name the system gave is UTF-8 (else it holds surrogate escapes)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _on_stack(real: str, stack: list[tuple[str, str | None]]) -> bool:
    """Whether a folder link to `real` leads to a folder being walked or above one (a loop). Real paths
    of the folders walked are computed only now: links to folders are rare."""
    for path, known in stack:
        here = known or os.path.realpath(path)
        if here == real or here.startswith(real + os.sep):
            return True
    return False


def discover(repo: Path, diags: Diagnostics, parsed: ParsedTexts | None = None) -> Tree | None:
    """Build and validate the tree from sites/; None if there is no usable root (`parsed`: site.yml
    texts parsed by an earlier build)."""
    sites = repo / "sites"
    repo_real = real_repo(repo)
    if os.path.islink(sites):
        why = link_refusal(os.path.realpath(sites), repo_real)
        if why:
            diags.add(sites, 1, refusal_message(why, "folder"))
            return None
    try:
        roots = sorted(p for p in sites.iterdir() if p.is_dir() and (p / "site.yml").exists()) \
            if sites.is_dir() else []
    except OSError as e:
        diags.add(sites, 1, f"папку sites/ не удалось прочитать: {e.strerror}")
        return None
    if len(roots) != 1:
        where = ", ".join(p.name for p in roots) or "нет ни одной"
        for place in roots or [sites]:
            diags.add(place / "site.yml", 1, "в sites/ должна быть ровно одна корневая организация "
                                             f"(папка с site.yml), а здесь: {where}")
        return None
    root = roots[0]
    if not _utf8(root.name):
        diags.add(root, 1, refusal_message("encoding", "folder"))
        return None
    real = None
    if root.is_symlink():
        real = os.path.realpath(root)
        why = link_refusal(real, repo_real)
        if why:
            diags.add(root, 1, refusal_message(why, "folder"))
            return None
    orgs: dict[str, Org] = {}
    _collect(root, None, "", repo, orgs, diags, parsed, [(str(root), real)], repo_real)
    return Tree(orgs, root.name)


def _card(card_path: Path, repo_real: str, diags: Diagnostics, parsed: ParsedTexts | None) -> YamlDoc | None:
    """An organization's site.yml, parsed, if it is a file inside the repository."""
    if card_path.is_symlink():
        why = link_refusal(os.path.realpath(card_path), repo_real)
        if why:
            diags.add(card_path, 1, refusal_message(why, "file"))
            return None
    if not card_path.is_file():
        diags.add(card_path, 1, "site.yml должен быть файлом с карточкой организации, а это папка или что-то "
                                "другое; удалите это и создайте файл site.yml")
        return None
    try:
        doc = load_file(card_path, diags, parsed)
        if doc:
            check_site_card(doc, card_path, diags)
        return doc
    except OSError as e:
        diags.add(card_path, 1, f"файл не удалось прочитать: {e.strerror}")
    except Exception as e:  # noqa: BLE001 (content never gives a traceback: the file is named instead)
        diags.add(card_path, 1, internal_error(e))
    return None


def _collect(folder: Path, parent: str | None, url_path: str, repo: Path, orgs: dict[str, Org],
             diags: Diagnostics, parsed: ParsedTexts | None, stack: list[tuple[str, str | None]],
             repo_real: str) -> None:
    org_id = folder.name
    card_path = folder / "site.yml"
    doc = _card(card_path, repo_real, diags, parsed)
    card = doc.data if doc else {}
    if not ORG_ID.match(org_id):
        diags.add(card_path, 1, f"имя папки «{org_id}» не годится как код организации: "
                                "только строчные латинские буквы, цифры и дефис, например school-1")
    if org_id in RESERVED and parent is not None:
        diags.add(card_path, 1, f"имя папки «{org_id}» зарезервировано; переименуйте папку")
    if org_id in orgs:
        diags.add(card_path, 1, f"код организации «{org_id}» уже занят: {orgs[org_id].rel}; "
                                "переименуйте одну из папок")
        return
    members = []
    reals = {}
    try:
        with os.scandir(folder) as listing:  # entries, not Paths: a thousand folders are listed every build
            entries = sorted(listing, key=_NAME)
    except OSError:
        entries = []
    for entry in entries:
        if entry.name in CONTENT_DIRS or entry.name.startswith(".") or not entry.is_dir():
            continue
        child = folder / entry.name
        if not entry.name.isascii() and not _utf8(entry.name):
            diags.add(child, 1, refusal_message("encoding", "folder"))
            continue
        if entry.is_symlink():
            real = os.path.realpath(entry.path)
            why = link_refusal(real, repo_real) or ("loop" if _on_stack(real, stack) else None)
            if why:
                diags.add(child, 1, refusal_message(why, "folder"))
                continue
            reals[entry.name] = real
        if os.path.exists(os.path.join(entry.path, "site.yml")):
            members.append(child)
    rel = f"{orgs[parent].rel}/{org_id}" if parent else folder.relative_to(repo).as_posix()
    orgs[org_id] = Org(org_id, folder, rel, parent, tuple(m.name for m in members), url_path, card)
    for member in members:
        _collect(member, org_id, f"{url_path}{member.name}/", repo, orgs, diags, parsed,
                 [*stack, (str(member), reals.get(member.name))], repo_real)
    if any(m.name in orgs and orgs[m.name].folder != m for m in members):
        orgs[org_id] = Org(org_id, folder, rel, parent,
                           tuple(m.name for m in members if orgs.get(m.name) and orgs[m.name].folder == m),
                           url_path, card)

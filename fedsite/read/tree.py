"""The federation tree: every folder with a site.yml is an organization; asked for parents, members, URLs."""

from __future__ import annotations
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fedsite.model.diagnostics import Diagnostics
from fedsite.model.schema import check_site_card
from fedsite.model.yamlfile import ParsedTexts, YamlDoc, load_file
from fedsite.read.symlinks import BY_NAME, is_utf8, link_refusal, on_stack, real_repo, refusal_message

ORG_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# posts, pages, assets and reports are SPEC's; search is where Material writes its index.
RESERVED = {"posts", "pages", "assets", "reports", "search"}
CONTENT_DIRS = {"posts", "pages", "assets", "reports"}


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


def internal_error(e: BaseException) -> str:
    """The message for a file that made the build fail in a way no check foresaw."""
    return (f"файл не удалось обработать: внутренняя ошибка сборщика ({type(e).__name__}: {str(e)[:200]}); "
            "сообщите администратору федерации и приложите этот файл")


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
    if not is_utf8(root.name):
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
            entries = sorted(listing, key=BY_NAME)
    except OSError:
        entries = []
    for entry in entries:
        if entry.name in CONTENT_DIRS or entry.name.startswith(".") or not entry.is_dir():
            continue
        child = folder / entry.name
        if not entry.name.isascii() and not is_utf8(entry.name):
            diags.add(child, 1, refusal_message("encoding", "folder"))
            continue
        if entry.is_symlink():
            real = os.path.realpath(entry.path)
            why = link_refusal(real, repo_real) or ("loop" if on_stack(real, stack) else None)
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

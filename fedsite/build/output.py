"""Write stage: put the built sites in place, so that a half-written output is never deployed.

A full build assembles every site in a fresh folder beside the target and swaps it in with one
rename. When the target holds the output of an earlier cached build (recorded in the cache as
output.json), only the sites that changed are swapped in, each site whole or not at all: relinking a
thousand unchanged sites and deleting the old copy cost ~4 s of every one-post build. Either way the
renames are planned here and done by swap.Swap: all of them or none, whatever interrupts them.

An output folder is marked as such (MARKER), and `check_output_folder` refuses any `--out` that is not
a new or empty folder or a previous build's output, so that a build never replaces anything else."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from fedsite.model.diagnostics import UsageError
from fedsite.model.files import write_atomic
from fedsite.build.swap import Swap
from fedsite.read.tree import Tree

# Written at the top of every output that holds the root site (a full build, the root's shard), so
# that `--out` can tell a build's output, which a build may replace, from any other folder.
MARKER = ".fedsite-output"
MARKER_TEXT = ("Эта папка — результат сборки сайтов федерации (python build.py build): каждая сборка\n"
               "заменяет её целиком. Не храните здесь ничего своего.\n").encode()


def place_site(staged: Path, final: Path) -> None:
    """Move a site built on its own into its place in the assembled tree (members' folders stay)."""
    final.mkdir(parents=True, exist_ok=True)
    for entry in staged.iterdir():
        target = final / entry.name
        if target.exists():
            raise FileExistsError(f"{target} is written by two sites")
        os.replace(entry, target)


def plan_replace_site(swap: Swap, staged: Path, final: Path, keep: tuple[str, ...], trash: Path) -> None:
    """Plan the swap of a site's own files in the live output for a newly built copy: its old entries
    to `trash`, the new ones in; the entries named in `keep` (its members' folders, the output marker)
    stay. The swap as a whole is done or undone (swap.py)."""
    clash = set(os.listdir(staged)) & set(keep)
    if clash:
        raise FileExistsError(f"{final / sorted(clash)[0]} is written by two sites")
    trash.mkdir(parents=True)
    final.mkdir(parents=True, exist_ok=True)
    for name in os.listdir(final):
        if name not in keep:
            swap.rename(final / name, trash / name)
    for name in os.listdir(staged):
        swap.rename(staged / name, final / name)


def plan_swap_in(swap: Swap, assembled: Path, out: Path) -> None:
    """Plan the replacement of `out` by `assembled`: two renames; the previous output goes to the
    scratch folder, to be removed."""
    out = out.resolve()
    if os.path.lexists(out):
        swap.rename(out, swap.scratch / ".previous")
    swap.rename(assembled, out)


def write_marker(out: Path) -> None:
    """Mark a folder as a build's output (the same bytes in every build and shard)."""
    marker = out / MARKER
    if not marker.is_file():
        marker.write_bytes(MARKER_TEXT)


def keep_previous(previous: Path, final: Path, org_id: str, tree: Tree) -> bool:
    """Copy an organization's last good output (without its members' folders); False if none."""
    member_dirs = {m for m in tree[org_id].members}
    if not (previous / "index.html").is_file():
        return False
    final.mkdir(parents=True, exist_ok=True)
    for entry in previous.iterdir():
        if entry.name in member_dirs or (entry.is_dir() and (entry / "index.html").is_file()
                                         and entry.name in tree.orgs):
            continue
        target = final / entry.name
        if entry.is_dir():
            shutil.copytree(entry, target, symlinks=False)
        else:
            shutil.copy2(entry, target)
    return True


class PlacedSites:
    """What the output folder holds: per site, the digest of the build placed there, with the size
    and mtime of its home page as a witness (.cache/output.json).

    A shard build forgets the record; any other writer of that folder (a build without the cache, a
    hand edit of a home page) leaves a witness that does not match; either way the next build
    assembles everything afresh. The record is removed while sites are being swapped in, so an
    interrupted swap is never taken for a finished one."""

    def __init__(self, cache: Path | None) -> None:
        self.path = cache / "output.json" if cache else None

    def load(self, out: Path, tree: Tree) -> dict[str, str] | None:
        """Digest by organization of what `out` holds, or None if only a full assembly is safe."""
        if self.path is None or not self.path.is_file():
            return None
        try:
            record = json.loads(self.path.read_text(encoding="utf-8"))
            sites = record["sites"]
            if record["out"] != str(out.resolve()) or sites.keys() != tree.orgs.keys():
                return None
            digests = {}
            for org_id, (url_path, digest, witness) in sites.items():
                if url_path != tree[org_id].url_path or witness != site_witness(out / url_path):
                    return None
                digests[org_id] = digest
        except (ValueError, TypeError, KeyError, AttributeError):  # a damaged or older record
            return None
        return digests

    def forget(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)

    def save(self, out: Path, tree: Tree, digests: dict[str, str]) -> None:
        if self.path is None:
            return
        sites = {org.id: (org.url_path, digests.get(org.id, ""), site_witness(out / org.url_path))
                 for org in tree.in_order()}
        write_atomic(self.path, json.dumps({"out": str(out.resolve()), "sites": sites}).encode())


def site_witness(site: Path) -> list[int] | None:
    """Size and mtime of a site's home page: a build that wrote it again leaves another mtime."""
    try:
        st = os.stat(site / "index.html")
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


# Top-level folders of the repository a build must never write into or replace (besides every hidden
# one: .git, .cache, .github, .venv): content, theme, documentation, code.
PROTECTED = ("sites", "shared", "theme", "docs", "fedsite", "tests", "bench", "scripts")


def check_output_folder(repo: Path, out: Path, shown: str, theme: str = "theme") -> Path:
    """The folder a build may replace, resolved; a usage error if building there could destroy
    anything else: the repository or a folder above it, anything inside its content, theme, code or
    hidden folders, a file, or a non-empty folder that is not a previous build's output."""
    repo = repo.resolve()
    target = out.resolve()
    where = f"{shown} («{target}»)"
    if target == repo or repo.is_relative_to(target):
        raise UsageError(f"{where}: это папка репозитория или папка над ней; сборка заменила бы её "
                         "целиком. Укажите отдельную папку, например --out public или --out /tmp/sait.")
    if target.is_relative_to(repo):
        rel = target.relative_to(repo).parts
        top = rel[0]
        if top in PROTECTED or top == theme or top.startswith("."):
            raise UsageError(f"{where}: это папка «{top}» репозитория или папка внутри неё (содержимое, "
                             "тема, код или служебные файлы); сборка заменила бы её. Собирайте в public/ "
                             "(по умолчанию) или в новую папку, например --out /tmp/sait.")
        if len(rel) > 1 and os.path.lexists(repo / top):
            raise UsageError(f"{where}: эта папка лежит внутри папки «{top}» репозитория; сборка могла бы задеть её "
                             f"содержимое. Укажите папку прямо в репозитории (например --out public) или вне его.")
    if not os.path.lexists(target):
        return target
    if not target.is_dir():
        raise UsageError(f"{where}: это файл, а не папка; сборка удалила бы его. Укажите папку, "
                         "например --out public.")
    if any(True for _ in os.scandir(target)) and not is_build_output(target, repo):
        raise UsageError(f"{where}: папка не пуста и не похожа на результат прежней сборки (в ней нет "
                         f"файла {MARKER}); сборка заменила бы её целиком. Укажите пустую или новую "
                         "папку, или удалите эту сами, если в ней нет ничего нужного.")
    return target


def is_build_output(folder: Path, repo: Path) -> bool:
    """Whether `folder` holds a build's output: it has the marker; or the cache's record of the output
    names it; or it has the shape of one (an output from before the marker, a shard without the root,
    a `--site` build): a site's home page, sitemap and feeds at its top, or only folders at its top
    with such a site at most three levels down."""
    if (folder / MARKER).is_file():
        return True
    for record in (repo / ".cache" / "output.json", repo / ".cache" / "output.json.swapping"):
        try:
            if json.loads(record.read_text(encoding="utf-8")).get("out") == str(folder):
                return True
        except (OSError, ValueError, AttributeError):
            pass
    return _holds_site(folder, 3)


SITE_FILES = ("index.html", "sitemap.xml", "feed.xml", "atom.xml")


def _holds_site(folder: Path, depth: int) -> bool:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return False
    names = {e.name for e in entries}
    if all(name in names for name in SITE_FILES):
        return True
    if depth == 0 or not entries or any(not e.is_dir(follow_symlinks=False) for e in entries):
        return False
    # Every folder a site's (or one of sites): a single foreign folder beside them would be lost.
    return all(_holds_site(Path(e.path), depth - 1) for e in entries)

"""The read stage's cache: an organization's parsed posts and pages, reused while its files are the same.

Parsing and validating front matter is most of the read stage (0.3 ms a post: 17 s for 61k posts).
An organization whose Markdown files have the same content (hashed, never by mtime: a CI clone gives
every file a new one), whose other files have the same names, and whose card, the federation settings,
the projects and this package's code are unchanged, reads as it did last time. Only organizations
that read without a problem are kept, so a cached read never hides one."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property
from pathlib import Path
from typing import Any

from fedsite.cache.keys import stage_code
from fedsite.model.digest import canonical_digest
from fedsite.cache.store import Store, stems
from fedsite.read.symlinks import real_repo, walk
from fedsite.read.tree import CONTENT_DIRS, Org
from fedsite.model.yamlfile import ParsedTexts


def git_hashes(repo: Path) -> dict[str, str]:
    """Content hashes git already keeps for the repository's files (blob ids), by repository path.

    Files that differ from git's index (edited, new, deleted) are left out, to be hashed here; so is
    everything when the repository is not a git work tree of its own."""
    def start(*args: str) -> subprocess.Popen | None:
        try:
            return subprocess.Popen(["git", "-C", str(repo), *args], stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL)
        except OSError:
            return None

    def output(process: subprocess.Popen | None) -> bytes | None:
        if process is None:
            return None
        try:
            out, _ = process.communicate(timeout=120)
        except subprocess.SubprocessError:
            process.kill()
            process.communicate()
            return None
        return out if process.returncode == 0 else None

    top = output(start("rev-parse", "--show-toplevel"))
    if top is None or Path(os.fsdecode(top.strip())).resolve() != repo.resolve():
        return {}
    # Both at once: status (0.1 s, it looks at every file) runs while the listing is read and parsed.
    # No optional locks: a build may end while git runs, and must never leave .git/index.lock behind.
    status = start("--no-optional-locks", "status", "--porcelain", "-z", "--untracked-files=all", "--no-renames")
    listed = output(start("ls-files", "--stage", "-t", "-v", "-z")) or b""
    # Only entries tagged H: not assume-unchanged (lowercase) or skip-worktree (S), git vouches for them.
    hashes = {path: blob for blob, path in VOUCHED.findall(os.fsdecode(listed))}
    changed = output(status)
    if changed is None:
        return {}
    for entry in changed.split(b"\0"):
        hashes.pop(os.fsdecode(entry[3:]), None)
    return hashes


VOUCHED = re.compile(r"(?:^|\0)H \d+ ([0-9a-f]+) \d+\t([^\0]*)")  # "H mode blob stage\tpath", NUL-separated


def own_files_digest(org: Org, known: dict[str, str], repo_real: str) -> str:
    """The organization's own files (not its members'): Markdown by content, the rest by name, and
    where each symbolic link leads (which decides what is read, and whether it is refused).

    A file's content hash is git's blob id when git has it (a fresh CI clone hashes nothing
    again), else computed here."""
    folder = str(org.folder)
    entries = [("index.md", entry) for entry in os.scandir(folder) if entry.name == "index.md"]
    links, refused = [], []
    for top in sorted(CONTENT_DIRS):
        listing = walk(os.path.join(folder, top), repo_real, top)
        entries += listing.files
        links += listing.links
        refused += [f"{path}!{why}" for path, why, _ in listing.refused]
    prefix = org.rel + "/"
    parts = []  # hashed in one go: an update per file was a third of this function's time
    for name, entry in entries:
        parts.append(name)
        link = entry.is_symlink()
        if link and name == "index.md":
            parts.append("->" + os.path.realpath(entry.path) + ("+" if entry.is_file() else "-"))
        if name.endswith(".md") and entry.is_file():
            known_hash = None if link else known.get(prefix + name)
            if not known_hash:
                try:
                    with open(entry.path, "rb") as f:
                        known_hash = hashlib.sha256(f.read()).hexdigest()
                except OSError:  # unreadable: the read stage says so (and such a read is never kept)
                    known_hash = "unreadable"
            parts.append(known_hash)
        parts.append("")
    parts += [f"{name}->{real}" for name, real in links]
    parts += refused
    return hashlib.blake2b(os.fsencode("\0".join(parts)), digest_size=20).hexdigest()


class ReadCache:
    """Per organization, the read result and the key it was read under, in .cache/read/; None disables it."""

    CARDS = "site-cards.parsed"

    def __init__(self, folder: Path | None, repo: Path) -> None:
        self.disk = Store(folder, "read")
        self.folder = self.disk.folder
        self.repo_real = real_repo(repo)
        # git works in a thread (it mostly waits for git's own process) while the tree is discovered.
        self._pool = ThreadPoolExecutor(1)
        self._known = self._pool.submit(git_hashes, repo) if self.folder else None
        self._pool.shutdown(wait=False)

    @cached_property
    def known(self) -> dict[str, str]:
        return self._known.result() if self._known else {}

    def key(self, org: Org, *shared: Any) -> str:
        if not self.folder:
            return ""
        return canonical_digest((stage_code("read"), org, shared, own_files_digest(org, self.known, self.repo_real)))

    def parsed_cards(self) -> ParsedTexts:
        """site.yml texts parsed by the last build (by this code)."""
        known = self.disk.get_keyed(self.CARDS, stage_code("read"))
        return ParsedTexts(known if isinstance(known, dict) else {})

    def save_cards(self, parsed: ParsedTexts) -> None:
        """Keep the texts this build parsed or used, and only those."""
        if parsed.used.keys() != parsed.known.keys():
            self.disk.put_keyed(self.CARDS, stage_code("read"), parsed.used)

    def get(self, org_id: str, key: str) -> Any | None:
        return self.disk.get_keyed(f"{org_id}.pickle", key)

    def put(self, org_id: str, key: str, value: Any) -> None:
        self.disk.put_keyed(f"{org_id}.pickle", key, value)

    def prune(self, keep: set[str]) -> None:
        """Forget organizations that no longer exist (the parsed cards are kept)."""
        by_org = stems(keep, ".pickle")
        self.disk.prune(lambda name: name == self.CARDS or by_org(name))

"""One collector of content problems: (path, line, message), printed sorted, all at once."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """A content problem a person can fix: where it is and what to do."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class Diagnostics:
    """Collects every problem of a run; stages add to it and never stop at the first."""

    root: Path
    problems: list[Problem] = field(default_factory=list)

    def add(self, path: Path | str, line: int, message: str) -> None:
        """Record a problem at `path:line` (path shown relative to the repository)."""
        self.problems.append(Problem(self.relative(path), max(int(line), 1), message))

    def relative(self, path: Path | str) -> str:
        p = Path(os.path.abspath(path))  # not resolve(): a symlink is reported where it stands
        try:
            return p.relative_to(os.path.abspath(self.root)).as_posix()
        except ValueError:
            return p.as_posix()

    def for_paths(self, prefixes: list[str]) -> list[Problem]:
        """The problems inside any of the given repository-relative folders."""
        return [p for p in self.problems if any(p.path.startswith(x) for x in prefixes)]

    def sorted(self) -> list[Problem]:
        return sorted(set(self.problems))

    def __bool__(self) -> bool:
        return bool(self.problems)


class UsageError(Exception):
    """Wrong command-line usage: exit code 2."""

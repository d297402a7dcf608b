"""How every command shows problems: one `path:line: message` a line, on stderr."""

from __future__ import annotations

import os
import sys

from fedsite.model.diagnostics import Diagnostics


def print_problems(diags: Diagnostics) -> None:
    """Every problem, sorted, as `path:line: message`; and GitHub annotations in Actions."""
    annotate = os.environ.get("GITHUB_ACTIONS") == "true"
    for problem in diags.sorted():
        print(problem, file=sys.stderr)
        if annotate:
            print(f"::error file={problem.path},line={problem.line}::{problem.message}")
    if diags:
        print(f"Найдено ошибок: {len(diags.sorted())}. Исправьте их и запустите проверку снова.",
              file=sys.stderr)

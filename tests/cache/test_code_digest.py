"""The stages' code digests (fedsite/cache/keys.py) with the imports each module makes kept between
builds: an edit of a module still changes its stage's digest (and only the stages that run it), a
new import still brings the imported module's code in, and a warm memo parses nothing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT

DIGESTS = """
import ast, json, sys
from pathlib import Path
parsed = []
real_parse = ast.parse
ast.parse = lambda *a, **k: parsed.append(1) or real_parse(*a, **k)
from fedsite.cache import keys
keys.remember_imports(Path(sys.argv[1]))
print(json.dumps({"digests": {stage: keys.stage_code(stage) for stage in keys.STAGE_ENTRIES}, "parsed": len(parsed)}))
"""


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """A copy of the fedsite package to edit."""
    shutil.copytree(PROJECT / "fedsite", tmp_path / "code" / "fedsite", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path / "code"


def digests(package: Path, cache: Path) -> tuple[dict[str, str], int]:
    """Each stage's code digest, and how many modules were parsed to find them, in a new process."""
    env = {**os.environ, "PYTHONPATH": str(package), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run([sys.executable, "-c", DIGESTS, str(cache)], env=env, capture_output=True, text=True,
                          cwd=package, timeout=120)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    return answer["digests"], answer["parsed"]


def test_a_warm_memo_parses_no_module_and_gives_the_same_digests(package: Path, tmp_path: Path) -> None:
    cold, parsed_cold = digests(package, tmp_path / ".cache")
    warm, parsed_warm = digests(package, tmp_path / ".cache")
    assert parsed_cold > 30 and parsed_warm == 0
    assert warm == cold
    assert digests(package, tmp_path / "no-memo")[0] == cold  # the memo changes no digest


def edit_keeping_stat(path: Path, old: str, new: str) -> None:
    """Change a module's text keeping its size, mtime and inode: a memo keyed by stat would miss it."""
    st = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text and len(old.encode()) == len(new.encode())
    with open(path, "r+b") as f:
        f.write(text.replace(old, new, 1).encode())
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns, path.stat().st_ino) == (st.st_size, st.st_mtime_ns, st.st_ino)


def test_an_edit_of_the_feeds_code_changes_only_the_stage_that_runs_it(package: Path, tmp_path: Path) -> None:
    before, _ = digests(package, tmp_path / ".cache")
    feeds = package / "fedsite/outputs/feeds.py"
    feeds.write_text(feeds.read_text(encoding="utf-8") + "\n# a comment is code too\n", encoding="utf-8")
    after, parsed = digests(package, tmp_path / ".cache")
    assert parsed == 1  # only the edited module is parsed again
    assert after["plan"] != before["plan"]
    assert (after["read"], after["render"]) == (before["read"], before["render"])


def test_an_edit_that_keeps_size_mtime_and_inode_still_changes_the_digest(package: Path, tmp_path: Path) -> None:
    before, _ = digests(package, tmp_path / ".cache")
    posts = package / "fedsite/read/posts.py"
    edit_keeping_stat(posts, '"""Posts:', '"""Posty:')
    docstring, _ = digests(package, tmp_path / ".cache")
    assert docstring["read"] != before["read"]
    # An import in the place of another, of the same length: the module it names is part of the code now.
    edit_keeping_stat(posts, "from __future__ import annotations", "import fedsite.cli.printing  # 34b")
    printing = package / "fedsite/cli/printing.py"
    printing.write_text(printing.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    after, _ = digests(package, tmp_path / ".cache")
    edit_keeping_stat(printing, "\n# edited\n", "\n# EDITED\n")
    assert digests(package, tmp_path / ".cache")[0]["read"] != after["read"]


def test_a_new_import_brings_the_imported_modules_code_in_with_a_warm_memo(package: Path, tmp_path: Path) -> None:
    before, _ = digests(package, tmp_path / ".cache")
    printing = package / "fedsite/cli/printing.py"  # run by no stage: its edits change nothing
    printing.write_text(printing.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert digests(package, tmp_path / ".cache")[0] == before
    feeds = package / "fedsite/outputs/feeds.py"
    feeds.write_text(feeds.read_text(encoding="utf-8") + "\n\ndef _late():\n    import fedsite.cli.printing\n",
                     encoding="utf-8")
    with_import, _ = digests(package, tmp_path / ".cache")
    printing.write_text(printing.read_text(encoding="utf-8") + "\n# edited again\n", encoding="utf-8")
    after, _ = digests(package, tmp_path / ".cache")
    assert with_import["plan"] != before["plan"] and after["plan"] != with_import["plan"]
    assert after["read"] == before["read"]

"""Fixture federations copied into a temporary folder, with the project's theme beside them."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

from fedsite.build.pipeline import build
from fedsite.model.diagnostics import Diagnostics

PROJECT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
NOW = "2026-06-01T12:00:00+03:00"


def copy_federation(name: str, dest: Path) -> Path:
    """A writable copy of a fixture federation, with the real theme."""
    repo = dest / name
    shutil.copytree(FIXTURES / name, repo)
    shutil.copytree(PROJECT / "theme", repo / "theme")
    return repo


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FEDSITE_NOW", NOW)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    return copy_federation("mini", tmp_path)


@contextmanager
def fixed_clock() -> Iterator[None]:
    """FEDSITE_NOW and SOURCE_DATE_EPOCH for a fixture wider than one test (the autouse one is per test)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("FEDSITE_NOW", NOW)
    mp.setenv("SOURCE_DATE_EPOCH", "1700000000")
    try:
        yield
    finally:
        mp.undo()


def build_once(repo: Path) -> Path:
    """Build a fixture federation at the fixed clock; its public/ folder."""
    with fixed_clock():
        diags = Diagnostics(repo)
        result = build(repo, repo / "public", diags, jobs=1)
    assert result is not None, [str(p) for p in diags.sorted()]
    return repo / "public"


@pytest.fixture(scope="session")
def built_mini(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini federation built once: tests read its public/ folder."""
    return build_once(copy_federation("mini", tmp_path_factory.mktemp("built")))


def run_check(repo: Path) -> list[str]:
    """The problems `check` reports for a repository, as printed lines."""
    from fedsite.build.pipeline import check

    diags = Diagnostics(repo)
    check(repo, diags)
    return [str(p) for p in diags.sorted()]


def start_paused(repo: Path, *args: str, tmp: Path) -> tuple[subprocess.Popen, int]:
    """A build stopped half-way through its swap (swap.py's test hook): the process and its pid."""
    marker = tmp / "paused"
    # Ctrl-C as a terminal sends it, even when the tests themselves run as a shell's background job
    # (which starts with SIGINT ignored, and would hand that on to the build).
    proc = subprocess.Popen([sys.executable, str(PROJECT / "build.py"), "build", "--jobs", "1", *args], cwd=repo,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "FEDSITE_TEST_PAUSE_SWAP": str(marker)},
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    return proc, int(marker.read_text())

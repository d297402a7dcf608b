"""build.py run by the system's python3 (no virtual environment): the README's commands after set-up."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT

SYSTEM_PYTHON = os.path.join(sys.base_prefix, "bin", "python3")


def system_python() -> str:
    """The interpreter the venv was made from, provided it lacks our libraries (as a fresh machine's)."""
    if not os.path.isfile(SYSTEM_PYTHON):
        pytest.skip("no system python3 beside the venv")
    has = subprocess.run([SYSTEM_PYTHON, "-c", "import mkdocs, feedgen"], capture_output=True).returncode == 0
    if has:
        pytest.skip("the system python3 has the libraries installed")
    return SYSTEM_PYTHON


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if not p.startswith(str(PROJECT / ".venv")))
    return env


def test_without_libraries_or_venv_says_what_to_run(tmp_path: Path):
    python = system_python()
    shutil.copy(PROJECT / "build.py", tmp_path / "build.py")  # no .venv beside it, no fedsite either
    done = subprocess.run([python, "build.py", "check"], cwd=tmp_path, capture_output=True, text=True,
                          env=clean_env(), timeout=60)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "Внутренняя ошибка" not in done.stderr
    assert "нет библиотек, нужных сборке" in done.stderr
    assert "bash scripts/build.sh" in done.stderr and ".venv/bin/python build.py check" in done.stderr


def test_system_python_hands_over_to_the_venv(mini: Path):
    python = system_python()
    if not (PROJECT / ".venv" / "bin" / "python").is_file():
        pytest.skip("no .venv set up")
    done = subprocess.run([python, str(PROJECT / "build.py"), "check"], cwd=mini, capture_output=True,
                          text=True, env=clean_env(), timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Ошибок не найдено" in done.stdout

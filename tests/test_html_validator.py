"""Every page is valid HTML to the Nu HTML Checker (the W3C's validator, vnu.jar from npm), issue 18.

One exception is kept on purpose: Material puts autocomplete="off" on its two hidden toggle checkboxes
(the drawer and the search), which the validator does not allow on a checkbox; Material needs it so that
Firefox does not restore an open drawer when the reader goes Back."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import PROJECT

VNU_VERSION = "26.9.27"
VNU_DIR = PROJECT / ".cache" / f"vnu-jar-{VNU_VERSION}"  # scripts/test.sh installs it there too
MATERIALS_TOGGLES = "Attribute “autocomplete” is only allowed when the input type is"


@pytest.fixture(scope="session")
def vnu_jar() -> Path:
    """vnu.jar from the npm registry, installed once into .cache/."""
    if shutil.which("java") is None:
        pytest.skip("java is not installed: the Nu HTML Checker cannot run")
    jar = VNU_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    if not jar.is_file():
        if shutil.which("npm") is None:
            pytest.skip("npm is not installed: vnu.jar cannot be fetched")
        subprocess.run(["npm", "install", "-s", "--no-save", "--no-audit", "--no-fund", "--prefix", str(VNU_DIR),
                        f"vnu-jar@{VNU_VERSION}"], check=True, capture_output=True, timeout=300)
    return jar


def test_every_page_is_valid_html(built_mini: Path, vnu_jar: Path) -> None:
    pages = list(built_mini.rglob("*.html"))
    assert len(pages) > 50
    done = subprocess.run(["java", "-jar", str(vnu_jar), "--errors-only", "--format", "json", "--skip-non-html",
                           str(built_mini)], capture_output=True, text=True, timeout=600)
    messages = json.loads(done.stderr)["messages"]
    errors = [f"{Path(m['url'].removeprefix('file:')).relative_to(built_mini)}:{m.get('lastLine')}: {m['message']}"
              for m in messages
              if m["type"] in ("error", "non-document-error") and not m["message"].startswith(MATERIALS_TOGGLES)]
    assert errors == []

#!/usr/bin/env bash
# Set up a virtual environment with the pinned dependencies and build the federation into public/.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -e .
exec .venv/bin/python build.py build "$@"

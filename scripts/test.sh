#!/usr/bin/env bash
# Set up a virtual environment with the pinned dependencies (and Debian's chromium for the
# browser tests, when run as root; axe-core from npm for the accessibility tests), then run the whole
# test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "chromium could not be installed: browser tests will be skipped" >&2
fi
# axe-core from the npm registry for the accessibility tests (tests/test_readers_a11y.py looks there).
if ! command -v npm >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null) \
    || echo "npm could not be installed: the accessibility tests will be skipped" >&2
fi
AXE=.cache/axe-core-4.14.1
if command -v npm >/dev/null 2>&1 && [ ! -f "$AXE/node_modules/axe-core/axe.min.js" ]; then
  npm install -s --no-save --no-audit --no-fund --prefix "$AXE" axe-core@4.14.1 \
    || echo "axe-core could not be installed: the accessibility tests will try again" >&2
fi
# The Nu HTML Checker (vnu.jar, run with Java) and open-graph-scraper, from the npm registry, for the
# validator's and the previews' tests (tests/test_html_validator.py, tests/test_previews_ogs.py).
for PKG in vnu-jar@26.9.27 open-graph-scraper@6.12.0; do
  DIR=.cache/${PKG/@/-}
  if command -v npm >/dev/null 2>&1 && [ ! -d "$DIR/node_modules/${PKG%@*}" ]; then
    npm install -s --no-save --no-audit --no-fund --prefix "$DIR" "$PKG" \
      || echo "$PKG could not be installed: its tests will try again" >&2
  fi
done
python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -e ".[test]"
exec .venv/bin/python -m pytest -q "$@"

"""The commands beyond build and check: scaffolding, serve, report, codeowners, deploy."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Add the other commands' parsers."""

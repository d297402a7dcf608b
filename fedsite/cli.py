"""Command line (SPEC §8): one function per command; the work lives in the stages."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from .diagnostics import Diagnostics, UsageError

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


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


def cmd_check(args: argparse.Namespace) -> int:
    from .builder import check

    diags = Diagnostics(args.repo)
    check(args.repo, diags, args.repo / ".cache", os.cpu_count() or 1)
    print_problems(diags)
    if not diags:
        print("Ошибок не найдено.")
    return EXIT_CONTENT if diags else EXIT_OK


STAGES = {"read": "чтение", "render": "Markdown", "plan and build sites": "сайты", "write": "запись"}


def cmd_build(args: argparse.Namespace) -> int:
    from .builder import BuildOptions, build, parse_shard

    diags = Diagnostics(args.repo)
    started = time.monotonic()
    out = Path(args.out) if args.out else args.repo / "public"
    options = BuildOptions(only=tuple(args.site or ()), jobs=max(1, args.jobs), keep_going=args.keep_going,
                           shard=parse_shard(args.shard), cache=None if args.no_cache else args.repo / ".cache",
                           progress=args.progress or (sys.stderr.isatty() and not os.environ.get("CI")))
    result = build(args.repo, out, diags, options)
    print_problems(diags)
    if result is None:
        print("Сборка остановлена: ничего не опубликовано, прежний результат не тронут.", file=sys.stderr)
        return EXIT_CONTENT
    kept = f"; оставлены прежние версии: {', '.join(result.kept)}" if result.kept else ""
    print(f"Собрано сайтов: {result.sites} (из кэша: {result.reused}), страниц: {result.pages}, "
          f"за {time.monotonic() - started:.1f} с → {out}{kept}")
    if args.timings:
        print("Этапы: " + " · ".join(f"{STAGES.get(name, name)} {seconds:.2f} с" for name, seconds in result.timings))
    return EXIT_CONTENT if diags else EXIT_OK


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="build.py", description="Сайты федерации организаций")
    p.add_argument("--repo", type=Path, default=Path.cwd(), help=argparse.SUPPRESS)
    sub = p.add_subparsers(dest="command")
    b = sub.add_parser("build", help="проверить всё и собрать сайты в public/")
    b.add_argument("--out", help="куда собирать (по умолчанию public/)")
    b.add_argument("--site", nargs="+", metavar="ID", help="собрать только эти организации")
    b.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="число процессов")
    b.add_argument("--keep-going", action="store_true", help="не останавливаться на ошибках")
    b.add_argument("--shard", metavar="K/N", help="собрать K-ю из N долей сайтов")
    b.add_argument("--progress", action="store_true", help="показывать ход сборки (в CI по умолчанию нет)")
    b.add_argument("--no-cache", action="store_true", help="не использовать кэш .cache/")
    b.add_argument("--timings", action="store_true", help="показать время каждого этапа сборки")
    b.set_defaults(func=cmd_build)
    c = sub.add_parser("check", help="проверить содержимое, ссылки и проекты")
    c.set_defaults(func=cmd_check)
    from . import commands

    commands.register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run a command; content problems exit 1, wrong usage 2, never a traceback for bad content."""
    args = parser().parse_args(argv if argv is not None else sys.argv[1:])
    if args.command is None:
        args = parser().parse_args(["build", *(argv or [])])
    args.repo = args.repo.resolve()
    try:
        return args.func(args)
    except UsageError as e:
        print(f"Ошибка: {e}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("Прервано; прежний результат не тронут.", file=sys.stderr)
        return 130
    except Exception as e:  # an internal error is ours, not the press secretary's
        import traceback

        traceback.print_exc()
        print(f"Внутренняя ошибка программы (не ошибка в ваших файлах): {e!r}. "
              "Сообщите администратору федерации.", file=sys.stderr)
        return 3

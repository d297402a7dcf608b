"""Command line (SPEC §8): one function per command; the work lives in the stages.

Exit codes: 0 success, 1 content problems, 2 wrong usage, 3 the command could not finish: a problem
of the machine (disk full, no permission, a read-only disk: said in Russian with the path) or an
internal error. No traceback is shown unless FEDSITE_DEBUG=1 is set in the environment; 130 after
Ctrl-C, with what the output folder holds then."""

from __future__ import annotations

import argparse
import errno
import os
import sys
import time
from pathlib import Path

from fedsite.cache.checked import DamagedCacheEntry
from fedsite.cli.printing import print_problems
from fedsite.model.diagnostics import Diagnostics, UsageError

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def cmd_check(args: argparse.Namespace) -> int:
    from fedsite.build.pipeline import check

    diags = Diagnostics(args.repo)
    check(args.repo, diags, args.repo / ".cache", os.cpu_count() or 1)
    print_problems(diags)
    if not diags:
        print("Ошибок не найдено.")
    return EXIT_CONTENT if diags else EXIT_OK


STAGES = {"read": "чтение", "render": "Markdown", "plan and build sites": "сайты", "federation outputs": "общие файлы",
          "write": "запись"}


def cmd_build(args: argparse.Namespace) -> int:
    from fedsite.build.pipeline import BuildOptions, build, parse_shard

    from fedsite.build.output import check_output_folder
    from fedsite.read.settings import theme_folder

    diags = Diagnostics(args.repo)
    started = time.monotonic()
    out = Path(args.out) if args.out else args.repo / "public"
    out = check_output_folder(args.repo, out, f"--out {args.out}" if args.out else "папка public/",
                              theme_folder(args.repo).name)
    from fedsite.build.swap import state

    state.out = out  # for the message if the build is interrupted or fails
    options = BuildOptions(only=tuple(args.site or ()), jobs=max(1, args.jobs), keep_going=args.keep_going,
                           shard=parse_shard(args.shard), cache=None if args.no_cache else args.repo / ".cache",
                           progress=args.progress or (sys.stderr.isatty() and not os.environ.get("CI")),
                           why=args.why)
    result = build(args.repo, out, diags, options)
    print_problems(diags)
    if result is None:
        print("Сборка остановлена: ничего не опубликовано, прежний результат не тронут.", file=sys.stderr)
        return EXIT_CONTENT
    kept = f"; оставлены прежние версии: {', '.join(result.kept)}" if result.kept else ""
    print(f"Собрано сайтов: {result.sites} (из кэша: {result.reused}), страниц: {result.pages}, "
          f"за {time.monotonic() - started:.1f} с → {out}{kept}")
    if result.why:
        print(result.why)
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
    b.add_argument("--why", metavar="ID", help="сказать, что изменилось для сайта ID и потому он собран заново "
                                               "(или что он взят из кэша)")
    b.set_defaults(func=cmd_build)
    c = sub.add_parser("check", help="проверить содержимое, ссылки и проекты")
    c.set_defaults(func=cmd_check)
    from fedsite.cli import commands

    commands.register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run a command; content problems exit 1, wrong usage 2, never a traceback for bad content."""
    from fedsite.build.swap import state

    state.out, state.phase = None, "before"
    command: str | None = None
    try:
        args = parser().parse_args(argv if argv is not None else sys.argv[1:])
        if args.command is None:
            args = parser().parse_args(["build", *(argv or [])])
        args.repo = args.repo.resolve()
        command = args.command
        return args.func(args)
    except UsageError as e:
        print(f"Ошибка: {e}", file=sys.stderr)
        return EXIT_USAGE
    except DamagedCacheEntry as e:  # already dropped: the next build does that work again
        print(f"Ошибка: {e}.{output_state(command)}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print(interrupted(command), file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as e:  # the machine's problem or ours, not the press secretary's
        if os.environ.get("FEDSITE_DEBUG"):
            import traceback

            traceback.print_exc()
        machine = machine_error(e)
        if machine is not None:
            print(f"Ошибка: {machine}{output_state(command)}", file=sys.stderr)
        else:
            text = str(e)
            text = text if len(text) <= 300 else text[:300] + "…"
            print(f"Внутренняя ошибка программы (не ошибка в ваших файлах): {type(e).__name__}: {text}."
                  f"{output_state(command)} Сообщите администратору федерации; подробности покажет "
                  "та же команда, запущенная с FEDSITE_DEBUG=1.", file=sys.stderr)
        return EXIT_FAILED


def _builds(command: str | None) -> bool:
    return command in (None, "build")


def interrupted(command: str | None) -> str:
    """What Ctrl-C left: for a build, the state of its output folder (swap.py)."""
    from fedsite.build.swap import state

    if command is None:
        return "Прервано; ничего не изменено."
    if not _builds(command):
        return "Прервано."
    if state.out is None:
        return "Прервано до начала сборки; ничего не записано."
    out = state.out
    if state.phase == "done":
        return f"Прервано после того, как сборка закончила запись: в «{out}» новый результат, он полный."
    if state.phase == "broken":
        return f"Прервано.{output_state(command)}"
    if not out.exists():
        return f"Прервано; ничего не записано («{out}» не создана)."
    return f"Прервано; «{out}» не тронута: в ней прежний результат сборки."


def output_state(command: str | None) -> str:
    """A sentence on the output folder after a build failed, starting with a space ('' for other commands)."""
    from fedsite.build.swap import state

    if not _builds(command) or state.out is None:
        return ""
    if state.phase == "done":
        return f" Новый результат уже записан в «{state.out}», он полный."
    if state.phase == "broken":
        return (f" Замену сайтов в «{state.out}» не удалось ни закончить, ни отменить: там смесь старых и "
                "новых файлов. Следующая сборка сначала вернёт прежние файлы; до неё deploy откажется "
                "публиковать.")
    return f" Папка «{state.out}» осталась как была."


MACHINE_ERRORS = {
    errno.ENOSPC: "не хватает места на диске: не удалось записать {path}. Освободите место (например, "
                  "удалите старые копии сборки или папку .cache/ — она создаётся заново) и запустите "
                  "команду снова.",
    errno.EDQUOT: "исчерпана дисковая квота: не удалось записать {path}. Освободите место или попросите "
                  "администратора увеличить квоту, и запустите команду снова.",
    errno.EACCES: "нет прав на доступ к {path}. Проверьте владельца и права (ls -l) или запустите команду "
                  "от пользователя, которому принадлежит репозиторий; собрать можно и в другую папку: --out.",
    errno.EROFS: "диск только для чтения: нельзя записать {path}. Соберите в папку на диске, доступном "
                 "для записи (--out), или перемонтируйте его для записи.",
    errno.EBUSY: "{path} занят (точка монтирования или открыт другой программой) и не может быть "
                 "заменён. Соберите в другую папку (--out) или освободите этот.",
    errno.EXDEV: "{path}: папка результата и папка рядом с ней на разных дисках (например, папка результата "
                 "— точка монтирования), а сборка заменяет её переименованием. Смонтируйте папку уровнем выше "
                 "или соберите в другую (--out).",
}
MACHINE_ERRORS[errno.EPERM] = MACHINE_ERRORS[errno.EACCES]


def machine_error(e: BaseException) -> str | None:
    """A message for an error of the machine rather than of the program: the OSError behind `e`
    (a worker's error arrives as the same exception; a library may have wrapped it)."""
    seen = set()
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if isinstance(e, OSError) and e.errno in MACHINE_ERRORS:
            names = [os.fsdecode(n) for n in (e.filename, e.filename2) if n is not None]
            if len(names) == 2 and e.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS):
                names = names[1:]  # a copy or a rename: where it was writing to
            path = " → ".join(f"«{n}»" for n in names) or "(путь неизвестен)"
            hint = ""
            if any(".cache" in Path(n).parts for n in names) and e.errno != errno.EXDEV:
                hint = " Собрать можно и без кэша: python build.py build --no-cache."
            return MACHINE_ERRORS[e.errno].format(path=path) + hint
        e = e.__cause__ or e.__context__
    return None

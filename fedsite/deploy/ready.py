"""Whether an output may be published: its build finished, passed its checks, and is not being swapped."""

from __future__ import annotations

import json
from pathlib import Path

from fedsite.build.journal import leftovers, swap_progress
from fedsite.build.pipeline import BUILD_STATUS
from fedsite.model.diagnostics import UsageError


def refuse_unready(repo: Path, out: Path) -> None:
    """A usage error, said in Russian, unless `out` holds a finished build that passed its checks."""
    refuse_unfinished_swap(out)
    stamp = repo / ".cache" / BUILD_STATUS
    if not (out / "index.html").is_file() or not stamp.is_file():
        raise UsageError("в public/ нет результата сборки; сначала запустите «python build.py build»")
    status = json.loads(stamp.read_text(encoding="utf-8"))
    if status.get("problems") and not status.get("kept_going"):
        raise UsageError("последняя сборка не прошла проверку; публикация отменена")


def refuse_unfinished_swap(out: Path) -> None:
    """A usage error if a build is swapping its sites into `out` now, or was killed while it did (swap.py):
    what the folder holds then, and what to do."""
    for left in leftovers(out):
        if left.journal is None:
            continue  # a build still building, or one that died before its swap: `out` is as it was
        if left.alive:
            raise UsageError(f"сборка (процесс {left.pid}) сейчас заменяет сайты в public/; дождитесь её "
                             "окончания и запустите публикацию снова")
        progress = swap_progress(left.journal, out.resolve().parent) if not left.journal.get("damaged") else "part"
        held = {"none": "в public/ по-прежнему прежний результат, но сборка не завершена",
                "all": "в public/ уже новые файлы, но сборка не успела записать, что проверка пройдена",
                "part": "в public/ сейчас смесь старых и новых файлов" if out.exists() else
                        f"папки public/ сейчас нет (прежний результат лежит в «{left.folder}»)"}[progress]
        raise UsageError(f"сборка (процесс {left.pid}) была прервана во время замены сайтов: {held}; "
                         "публиковать это нельзя. Запустите «python build.py build»: она сначала вернёт "
                         "прежние файлы на место, затем соберёт сайты; после неё публикуйте.")

"""Issue 20, interrupted builds: a build killed (kill -9) or interrupted (Ctrl-C) during its swap, or a
rename failing half-way, leaves the old output or the new one, never a mix that deploy would take; the
next build undoes what was left half done; scratch folders of dead builds go; workers die with the build."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import PROJECT, start_paused
from fedsite.build import sites, swap

from test_hardening_output import SCHOOL, main, new_post, run, scratch_folders, snapshot


def test_kill_9_during_the_in_place_swap_is_refused_by_deploy_and_undone_by_the_next_build(
        mini: Path, tmp_path: Path) -> None:
    assert run(mini, "build", "--jobs", "1").returncode == 0
    before = snapshot(mini / "public")
    new_post(mini)
    proc, pid = start_paused(mini, tmp=tmp_path)
    os.kill(pid, signal.SIGKILL)
    proc.communicate()
    assert snapshot(mini / "public") != before  # half swapped: some sites new, some old
    refused = run(mini, "deploy")
    assert refused.returncode == 2
    assert f"сборка (процесс {pid}) была прервана во время замены сайтов: в public/ сейчас смесь старых и " \
           "новых файлов; публиковать это нельзя. Запустите «python build.py build»" in refused.stderr
    # What the next build does first: the old sites back, the record and status with them.
    notes = swap.recover(mini / "public")
    assert notes == [f"Сборка (процесс {pid}) была прервана во время замены сайтов в {mini / 'public'}; "
                     "прежние файлы возвращены на место."]
    assert snapshot(mini / "public") == before and scratch_folders(mini) == []
    assert (mini / ".cache/build-status.json").is_file() and (mini / ".cache/output.json").is_file()
    again = run(mini, "build", "--jobs", "1")
    assert again.returncode == 0, again.stderr
    assert run(mini, "build", "--no-cache", "--jobs", "1", "--out", str(tmp_path / "full")).returncode == 0
    assert snapshot(mini / "public") == snapshot(tmp_path / "full")


def test_kill_9_between_the_renames_of_a_full_swap(mini: Path, tmp_path: Path) -> None:
    assert run(mini, "build", "--no-cache", "--jobs", "1").returncode == 0
    before = snapshot(mini / "public")
    new_post(mini)
    proc, pid = start_paused(mini, "--no-cache", tmp=tmp_path)
    os.kill(pid, signal.SIGKILL)
    proc.communicate()
    assert not (mini / "public").exists()  # the old output moved aside, the new one not yet in
    refused = run(mini, "deploy")
    assert refused.returncode == 2 and f"сборка (процесс {pid}) была прервана во время замены сайтов" in refused.stderr
    assert "папки public/ сейчас нет (прежний результат лежит в" in refused.stderr
    # The last rename done by hand: the new output whole in place, which deploy tells apart from a mix
    journal = json.loads(next(mini.glob(".public.new-*/swap.json")).read_text(encoding="utf-8"))
    src, dst = journal["ops"][-1]
    os.replace(mini / src, mini / dst)
    refused = run(mini, "deploy")
    assert refused.returncode == 2 and "в public/ уже новые файлы" in refused.stderr, refused.stderr
    (mini / SCHOOL / "posts/2025-02-01-novost.md").unlink()
    again = run(mini, "build", "--no-cache", "--jobs", "1")
    assert again.returncode == 0, again.stderr
    assert "прежние файлы возвращены на место" in again.stderr
    assert snapshot(mini / "public") == before and scratch_folders(mini) == []


def test_ctrl_c_during_the_swap_lets_it_finish_and_says_so(mini: Path, tmp_path: Path) -> None:
    assert run(mini, "build", "--jobs", "1").returncode == 0
    new_post(mini)
    proc, pid = start_paused(mini, tmp=tmp_path)
    os.kill(pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert err.strip() == (f"Прервано после того, как сборка закончила запись: в «{mini / 'public'}» новый "
                           "результат, он полный.")
    assert scratch_folders(mini) == [] and (mini / ".cache/build-status.json").is_file()
    assert run(mini, "build", "--no-cache", "--jobs", "1", "--out", str(tmp_path / "full")).returncode == 0
    assert snapshot(mini / "public") == snapshot(tmp_path / "full")
    assert "Свежая новость" in (mini / "public/district-a/school-1/index.html").read_text()


def test_ctrl_c_before_the_swap_says_the_output_is_untouched(mini: Path, capsys: pytest.CaptureFixture,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    assert main(mini, "build", "--jobs", "1", capsys=capsys)[0] == 0
    before = snapshot(mini / "public")
    new_post(mini)

    def interrupt(*args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(sites, "build_unit", interrupt)
    code, err = main(mini, "build", "--jobs", "1", capsys=capsys)
    assert code == 130
    assert err.strip() == f"Прервано; «{mini / 'public'}» не тронута: в ней прежний результат сборки."
    assert snapshot(mini / "public") == before and scratch_folders(mini) == []


@pytest.mark.parametrize("code, said", [
    (errno.ENOSPC, "Ошибка: не хватает места на диске: не удалось записать «"),
    (errno.EACCES, "Ошибка: нет прав на доступ к «"),
    (errno.EROFS, "Ошибка: диск только для чтения: нельзя записать «"),
], ids=["ENOSPC", "EACCES", "EROFS"])
def test_a_failed_rename_during_the_swap_puts_everything_back(mini: Path, code: int, said: str,
                                                              capsys: pytest.CaptureFixture,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    assert main(mini, "build", "--jobs", "1", capsys=capsys)[0] == 0
    before = snapshot(mini / "public")
    status = (mini / ".cache/build-status.json").read_bytes()
    new_post(mini)
    moved_in = []
    real = os.replace

    def failing(src: object, dst: object) -> None:
        if "/staging/" in str(src):
            moved_in.append(src)
            if len(moved_in) == 5:  # the changed sites half swapped in
                raise OSError(code, os.strerror(code), str(src), None, str(dst))
        real(src, dst)

    monkeypatch.setattr(os, "replace", failing)
    exit_code, err = main(mini, "build", "--jobs", "1", capsys=capsys)
    monkeypatch.undo()
    assert exit_code == 3 and "Traceback" not in err
    assert err.startswith(said) and f"{mini}/public/" in err  # the file it could not move
    assert f"Папка «{mini / 'public'}» осталась как была." in err
    assert snapshot(mini / "public") == before and scratch_folders(mini) == []
    assert (mini / ".cache/build-status.json").read_bytes() == status  # deploy may still publish it


def test_scratch_folders_of_dead_builds_are_removed_live_ones_kept(mini: Path, tmp_path: Path) -> None:
    assert run(mini, "build", "--jobs", "1").returncode == 0
    gone = subprocess.Popen(["true"])
    gone.wait()
    running = subprocess.Popen(["sleep", "600"])  # another live process (the tests' parent may be pid 1)
    dead, dead_locked, reused, live, live_locked = (
        mini / f".public.new-{pid}" for pid in (gone.pid, gone.pid + 1_000_000, 1, os.getpid(), running.pid))
    for folder in (dead, dead_locked, reused, live, live_locked):
        folder.mkdir()
        (folder / "half-built.html").write_text("<p>")
    (dead_locked / ".lock").touch()  # unlocked: its build is gone
    (reused / ".lock").touch()  # unlocked for an hour: its pid now belongs to another process
    os.utime(reused / ".lock", (time.time() - 3600, time.time() - 3600))
    with open(live_locked / ".lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # a build of this pid still runs (say, with --no-cache)
        new_post(mini)
        proc = run(mini, "build", "--jobs", "1")
        assert proc.returncode == 0, proc.stderr
        assert scratch_folders(mini) == sorted([live.name, live_locked.name])
    for folder in (live, live_locked):
        shutil.rmtree(folder)
    running.kill()
    running.wait()


def _forked_children(pid: int) -> list[str]:
    """The build's worker processes: its children running build.py (not git, which it also starts)."""
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    forked = []
    for child in children:
        try:
            if b"build.py" in Path(f"/proc/{child}/cmdline").read_bytes():
                forked.append(child)
        except OSError:
            pass
    return forked


def test_kill_9_of_a_build_ends_its_workers_too(mini: Path) -> None:
    for _attempt in range(5):  # a build that ends before both workers are seen is tried again
        proc = subprocess.Popen([sys.executable, str(PROJECT / "build.py"), "build", "--jobs", "2", "--no-cache"],
                                cwd=mini, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        workers: list[str] = []
        while len(workers) < 2 and proc.poll() is None and time.monotonic() < deadline:
            workers = _forked_children(proc.pid)
            time.sleep(0.02)
        proc.kill()
        proc.wait()
        if len(workers) == 2:
            break
    assert len(workers) == 2
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers), "orphaned workers live on"

"""Build the federation's sites: `python build.py [command]` (see `python build.py --help`)."""

import importlib.util
import logging
import os
import sys

# What `pip install -e .` brings (pyproject.toml), by the name it is imported as.
NEEDED = ("mkdocs", "material", "pymdownx", "markdown", "jinja2", "yaml", "babel", "feedgen", "lxml",
          "ghp_import", "nh3", "icalendar", "slugify", "tqdm", "ada_url")
HERE = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(HERE, ".venv")
REEXEC = "FEDSITE_REEXEC"  # set for the interpreter build.py hands itself over to: never twice


def missing_modules() -> list:
    if sys.version_info < (3, 11):
        return ["Python ≥ 3.11"]
    return [name for name in NEEDED if importlib.util.find_spec(name) is None]


def venv_python() -> str:
    for path in (os.path.join(VENV, "bin", "python"), os.path.join(VENV, "Scripts", "python.exe")):
        if os.path.isfile(path):
            return path
    return ""


def in_venv() -> bool:
    return os.path.realpath(sys.prefix) == os.path.realpath(VENV)


def without_dependencies(missing: list) -> int:
    """An interpreter without the libraries: hand over to .venv's when set up, else say what to run
    (in Russian, exit 2), not a ModuleNotFoundError's traceback."""
    python = venv_python()
    if python and not in_venv() and not os.environ.get(REEXEC):
        os.environ[REEXEC] = "1"
        os.execv(python, [python, os.path.abspath(__file__), *sys.argv[1:]])
    args = " ".join(sys.argv[1:]) or "build"
    where = "в виртуальном окружении .venv" if in_venv() or python else f"у этого Python ({sys.executable})"
    fix = (f"  .venv/bin/pip install -e {HERE}\n" if python else
           "  bash scripts/build.sh        (один раз: создаёт .venv с библиотеками и собирает сайты)\n")
    print(f"Ошибка: {where} нет библиотек, нужных сборке: {', '.join(missing)}.\n"
          f"Установите их:\n{fix}"
          f"затем запускайте команды так:\n  .venv/bin/python build.py {args}\n"
          "(или python3 build.py …: когда .venv есть, build.py сам запускается её Python).",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    lacking = missing_modules()
    if lacking:
        sys.exit(without_dependencies(lacking))
    from fedsite.cli.main import main

    code = main()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    # Everything is written and closed by now; the system frees the build's data at once, where the
    # interpreter would free it object by object (0.3 s after a build of 1,023 sites).
    os._exit(code)

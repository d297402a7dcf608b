"""The package's layout shows the pipeline: stages as subpackages, each importing only the stages
below it, no import circle, and MkDocs behind `fedsite.engine` alone (so that the engine can be swapped)."""

from __future__ import annotations

from pathlib import Path

from fedsite.cache.keys import runtime_imports

PACKAGE = Path(__file__).resolve().parent.parent / "fedsite"
# Bottom to top: a stage may import its own package and those before it, never one after it.
LAYERS = ["model", "cache", "read", "render", "plan", "outputs", "sites", "engine", "build", "deploy", "cli"]
ENGINE_ONLY = ("mkdocs", "material")
MAX_LINES = 300


def modules() -> dict[str, Path]:
    return {".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__"): p
            for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts}


def imports(path: Path, name: str) -> set[str]:
    """Every module the file imports, at its top or inside a function, TYPE_CHECKING blocks included."""
    return set(runtime_imports(path, name, type_checking=True))


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: {m for m in imports(path, name) if m in mods and m != name} for name, path in mods.items()}


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in LAYERS) else ""


def test_every_module_is_in_a_stage_package():
    loose = [m for m in modules() if m != "fedsite" and layer(m) not in LAYERS]
    assert not loose, f"modules outside the stage packages {LAYERS}: {loose}"


def test_stages_import_only_the_stages_below_them():
    upward = [f"{m} -> {d}" for m, deps in graph().items() for d in deps
              if layer(m) and layer(d) and LAYERS.index(layer(d)) > LAYERS.index(layer(m))]
    assert not upward, "imports of a later stage:\n" + "\n".join(sorted(upward))


def test_no_import_circle_between_modules():
    deps = graph()
    state: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(module: str) -> None:
        state[module] = 1
        stack.append(module)
        for dep in sorted(deps[module]):
            if state.get(dep) == 1:
                circles.append(stack[stack.index(dep):] + [dep])
            elif dep not in state:
                visit(dep)
        stack.pop()
        state[module] = 2

    for module in sorted(deps):
        if module not in state:
            visit(module)
    assert not circles, "import circles:\n" + "\n".join(" -> ".join(c) for c in circles)


def test_only_the_engine_imports_mkdocs():
    outside = [f"{m} imports {d}" for m, path in modules().items() if layer(m) != "engine"
               for d in imports(path, m) if d.split(".")[0] in ENGINE_ONLY]
    assert not outside, "\n".join(sorted(outside))


def test_modules_stay_short():
    long = {m: n for m, p in modules().items() if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"

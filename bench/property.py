"""The property test of cached builds run long: many more and longer sequences of edits than the
suite's, each step a cached build into the same public/ folder and a build from scratch, which must be
the same byte for byte (the machine is FederationEdits in tests/test_property_incremental.py).

    python bench/property.py [--examples 100] [--steps 30] [--seed N] [--child]

A random seed unless --seed is given; it is printed first, so a run can be repeated. A failure is
shrunk to its shortest sequence of edits, printed, and the exit code is 1."""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from hypothesis import seed  # noqa: E402
from hypothesis.stateful import get_state_machine_test  # noqa: E402

from test_property_incremental import FederationEdits, machine_settings  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=100, help="sequences of edits (default 100)")
    parser.add_argument("--steps", type=int, default=30, help="edits in a sequence, at most (default 30)")
    parser.add_argument("--seed", type=int, default=None, help="hypothesis's seed (default: a random one)")
    parser.add_argument("--child", action="store_true",
                        help="each cached build as CI runs it, `python build.py build` in a process of its own "
                             "(nothing kept in memory between builds; about 1 s more a step)")
    args = parser.parse_args()
    FederationEdits.child_process = args.child
    chosen = args.seed if args.seed is not None else random.randrange(2**32)
    print(f"seed {chosen}: {args.examples} sequences of up to {args.steps} edits", flush=True)
    start = time.perf_counter()
    started = [0]

    def machine(base: Path) -> FederationEdits:
        started[0] += 1
        if started[0] % 10 == 0:
            print(f"{started[0]} sequences run or shrunk, {time.perf_counter() - start:.0f} s", flush=True)
        return FederationEdits(base)

    with tempfile.TemporaryDirectory(prefix="fedsite-property-") as base:
        test = get_state_machine_test(lambda: machine(Path(base)),
                                      settings=machine_settings(args.examples, args.steps, database=None))
        try:
            seed(chosen)(test)()
        except Exception:  # noqa: BLE001 (hypothesis has printed the shortest failing sequence)
            print(f"FAILED after {time.perf_counter() - start:.0f} s; again: python bench/property.py "
                  f"--examples {args.examples} --steps {args.steps} --seed {chosen}{' --child' * args.child}",
                  file=sys.stderr)
            raise
    print(f"passed in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

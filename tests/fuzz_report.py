"""Count the outcome classes of many fuzzed runs of every subcommand (docs/robustness.md).

    python tests/fuzz_report.py [--runs 40] [--seed 1] [--show-failures]

For each case of ``tests/fuzzing.py`` it runs ``--runs`` mutated-file runs (file cases),
``--runs`` option-domain runs, and every must-change-nothing mutation once, then prints a
table of outcome classes: clear error / result / flagged, and the failures (traceback, hang,
silent change, modified input). The exit status is 1 when any failure was seen.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fuzzing  # noqa: E402


def _hash(paths):
    return [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=40, help="mutated-file and option runs per case")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--cases", default=",".join(fuzzing.CASES), help="comma-separated case names")
    p.add_argument("--show-failures", action="store_true")
    args = p.parse_args(argv)
    rng = random.Random(args.seed)
    counts: dict[str, collections.Counter] = {}
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        k = 0
        for name in args.cases.split(","):
            case = fuzzing.CASES[name]
            c = counts.setdefault(name, collections.Counter())

            def one(mutation=None, seed=0, option=None, value=None, invariant=False):
                nonlocal k
                k += 1
                d = tmp / f"{k}"
                paths = case.inputs(d / "in")
                base = None
                if invariant:
                    base = fuzzing.run(case.command(paths), d / "base")
                if mutation is not None and paths:
                    j = seed % len(paths)
                    fuzzing.mutate_file(paths[j], mutation, seed)
                argv = case.command(paths)
                if option is not None:
                    argv = fuzzing.with_option(argv, option, value)
                before = _hash(paths)
                o = fuzzing.run(argv, d / "out")
                kind = o.kind
                if _hash(paths) != before:
                    kind = "modified input"
                elif invariant and (o.kind != base.kind or (
                        o.summary is not None and fuzzing.same_numbers(base.summary, o.summary))):
                    kind = "silent change"
                c[kind] += 1
                if kind in ("traceback", "hang", "silent change", "modified input"):
                    failures.append((name, kind, o.argv, o.message[-600:]))

            if case.files:
                for mut in fuzzing.INVARIANT.values():
                    one(mut, 0, invariant=True)
                for _ in range(args.runs):
                    one(rng.choice(list(fuzzing.MUTATIONS.values())), rng.randrange(2**31))
            for _ in range(args.runs):
                one(option=rng.choice(fuzzing.OPTIONS[name]), value=rng.choice(fuzzing.BAD_QUANTITIES))
            print(f"{name}: {dict(c)}", file=sys.stderr)
    kinds = ["error", "result", "flagged", "traceback", "hang", "silent change", "modified input"]
    print("| case | runs | " + " | ".join(kinds) + " |")
    print("|---" * (len(kinds) + 2) + "|")
    total = collections.Counter()
    for name, c in counts.items():
        total.update(c)
        print(f"| {name} | {sum(c.values())} | " + " | ".join(str(c[x]) for x in kinds) + " |")
    print(f"| all | {sum(total.values())} | " + " | ".join(str(total[x]) for x in kinds) + " |")
    if args.show_failures:
        for name, kind, argv, msg in failures:
            print(f"\n## {name}: {kind}\n{' '.join(map(str, argv))}\n{msg}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

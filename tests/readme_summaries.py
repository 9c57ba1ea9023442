"""Run every command of the README and keep or compare the numbers of its ``summary.json``.

Usage (from the project root)::

    python tests/readme_summaries.py --save before.json       # on the old code
    python tests/readme_summaries.py --compare before.json    # on the new code
    python tests/readme_summaries.py --compare before.json --sigma 0.01   # within 0.01 sigma
    python tests/readme_summaries.py --list                   # the commands only

A refactoring must leave every number of every README command where it was: ``--compare``
fails (exit status 1) when any number of any ``summary.json`` differs by more than
``--rtol`` (default 1e-12, relative; absolute below 1e-300) or when keys or strings differ,
and lists each difference with its JSON path. Commands whose inputs are placeholders
(``spectra/*.lvm``) or that take ``[params]`` are skipped and named. Entries that record
the run rather than the result (times, versions, folders) are not compared. A change of
the numerical route (an optimiser started elsewhere by a rounding, sums taken in another
order) is judged with ``--sigma S``: a quantity's value and standard error may then move by
S of its standard errors; the largest move is printed either way.
"""

from __future__ import annotations

import argparse
import glob
import json
import math
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Keys that describe the run (time taken, software versions, folders), not the result.
RUN_KEYS = {"elapsed_s", "wall_s", "time_s", "version", "sotfit_version", "versions", "out",
            "output", "command", "created", "date", "python", "platform", "files", "inputs",
            "path", "paths", "source", "sources", "workers"}


def readme_commands(readme: Path = ROOT / "README.md") -> list[str]:
    """Every ``sotfit`` command of the README: bash blocks (continuations joined) and inline code."""
    text = readme.read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
        joined = re.sub(r"\\\n\s*", " ", block)
        for line in joined.splitlines():
            line = line.split("  #")[0].strip()
            if "&& sotfit " in line:
                line = line[line.index("sotfit "):]
            if line.startswith("sotfit "):
                commands.append(line)
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    for code in re.findall(r"`(sotfit [^`]+)`", re.sub(r"\s*\n\s*", " ", prose)):
        if "--out" in code:
            commands.append(code.strip())
    unique = []
    for c in commands:
        if c not in unique:
            unique.append(c)
    return unique


def runnable(command: str) -> tuple[list[str] | None, str]:
    """The argument list with globs expanded, or None and the reason it cannot run."""
    if "[" in command or "DIR" in command.split("--out")[0]:
        return None, "placeholder parameters"
    args = []
    for word in shlex.split(command)[1:]:
        if any(ch in word for ch in "*?") and not word.startswith("-"):
            matches = sorted(glob.glob(str(ROOT / word)))
            if not matches:
                return None, f"no file matches {word}"
            args.extend(matches)
        elif "/" in word and "://" not in word and not word.startswith("-"):
            if not (ROOT / word).exists():
                return None, f"no input {word}"
            args.append(str(ROOT / word))
        else:
            args.append(word)
    if "--out" not in args:
        return None, "no --out"
    return args, ""


def numbers(node, path: str = "") -> dict[str, object]:
    """The leaves of a JSON tree by path, without the entries that describe the run."""
    out: dict[str, object] = {}
    if isinstance(node, dict):
        for key, value in node.items():
            if key in RUN_KEYS:
                continue
            out.update(numbers(value, f"{path}/{key}"))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out.update(numbers(value, f"{path}[{i}]"))
    else:
        out[path] = node
    return out


def run_all(timeout: float) -> dict[str, dict]:
    """Run every runnable command in a fresh folder; the summaries (or the skip reasons)."""
    results: dict[str, dict] = {}
    for command in readme_commands():
        args, why = runnable(command)
        if args is None:
            results[command] = {"skipped": why}
            print(f"skip  {command[:90]}  ({why})", flush=True)
            continue
        with tempfile.TemporaryDirectory() as tmp:
            i = args.index("--out")
            args[i + 1] = str(Path(tmp) / "out")
            proc = subprocess.run([sys.executable, "-m", "sotfit", *args], cwd=tmp,
                                  capture_output=True, text=True, timeout=timeout)
            summary = Path(tmp) / "out" / "summary.json"
            entry = {"status": proc.returncode}
            if summary.exists():
                entry["summary"] = json.loads(summary.read_text(encoding="utf-8"))
            else:
                entry["stderr"] = proc.stderr[-2000:]
            results[command] = entry
            print(f"ran   {command[:90]}  (exit {proc.returncode})", flush=True)
    return results


def close(a, b, rtol: float) -> bool:
    """Equal strings/bools/None; numbers within ``rtol`` relative (NaN equals NaN)."""
    if isinstance(a, bool) or isinstance(b, bool) or not isinstance(a, (int, float)) \
            or not isinstance(b, (int, float)):
        return a == b
    if math.isnan(a) and math.isnan(b):
        return True
    if a == b:
        return True
    scale = max(abs(a), abs(b))
    return scale < 1e-300 or abs(a - b) <= rtol * scale


def within_sigma(key: str, nb: dict, a, b, sigma: float) -> bool | None:
    """For a quantity's ``.../value`` or ``.../stderr`` whose standard error is known in the
    run before: whether the two differ by at most ``sigma`` times that error (None when the
    leaf is not such a number)."""
    if not key.endswith(("/value", "/stderr")):
        return None
    err = nb.get(key.rsplit("/", 1)[0] + "/stderr")
    if not isinstance(err, (int, float)) or isinstance(err, bool) or not err > 0 \
            or not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
        return None
    return abs(a - b) <= sigma * err


def compare(before: dict, after: dict, rtol: float, sigma: float | None = None) -> list[str]:
    """The differences between two runs, one line each; with ``sigma``, values and standard
    errors of quantities with a known error may differ by ``sigma`` times it."""
    diffs = []
    for command in sorted(set(before) | set(after)):
        b, a = before.get(command), after.get(command)
        if b is None or a is None:
            diffs.append(f"{command[:80]}: only in {'after' if b is None else 'before'}")
            continue
        if b.get("status") != a.get("status"):
            diffs.append(f"{command[:80]}: exit {b.get('status')} -> {a.get('status')}")
        nb, na = numbers(b.get("summary", {})), numbers(a.get("summary", {}))
        for key in sorted(set(nb) | set(na)):
            if key not in nb or key not in na:
                diffs.append(f"{command[:60]}: {key} only {'after' if key in na else 'before'}")
            elif close(nb[key], na[key], rtol):
                continue
            elif sigma is not None and within_sigma(key, nb, nb[key], na[key], sigma):
                continue
            else:
                diffs.append(f"{command[:60]}: {key}: {nb[key]!r} -> {na[key]!r}")
    return diffs


def largest_sigma_change(before: dict, after: dict) -> float:
    """The largest |change| of a quantity's value, in its standard errors of the run before."""
    worst = 0.0
    for command, b in before.items():
        a = after.get(command) or {}
        nb, na = numbers(b.get("summary", {})), numbers(a.get("summary", {}))
        for key, vb in nb.items():
            if key.endswith("/value") and key in na and within_sigma(key, nb, vb, na[key], 0.0) \
                    is not None:
                worst = max(worst, abs(na[key] - vb) / nb[key[:-6] + "/stderr"])
    return worst


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", type=Path, help="run the commands and write their summaries")
    group.add_argument("--compare", type=Path, help="run the commands and compare with a saved run")
    group.add_argument("--list", action="store_true", help="print the commands and stop")
    parser.add_argument("--rtol", type=float, default=1e-12)
    parser.add_argument("--sigma", type=float, default=None,
                        help="let a quantity's value and standard error differ by this many "
                             "of its standard errors (e.g. 0.01)")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per command")
    args = parser.parse_args(argv)
    if args.list:
        for command in readme_commands():
            print(command)
        return 0
    results = run_all(args.timeout)
    if args.save:
        args.save.write_text(json.dumps(results, indent=1, sort_keys=True), encoding="utf-8")
        print(f"wrote {args.save}")
        return 0
    before = json.loads(args.compare.read_text(encoding="utf-8"))
    after = json.loads(json.dumps(results))
    diffs = compare(before, after, args.rtol, args.sigma)
    for line in diffs:
        print(line)
    n = sum("summary" in r for r in results.values())
    tol = f"rtol {args.rtol:g}" + ("" if args.sigma is None else f", {args.sigma:g} sigma")
    print(f"{n} summaries compared, {len(diffs)} differences ({tol}); largest change of a "
          f"value in its standard errors: {largest_sigma_change(before, after):.2g}")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())

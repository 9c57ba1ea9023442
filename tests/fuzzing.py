"""A harness for fuzzing the command line: mutated files, options at and beyond their domains.

Every run of ``sotfit`` ends in one of four outcome classes:

* ``error``: exit status 2 and a one-line ``error:`` message that names the file, column or
  option (no traceback);
* ``result``: exit status 0 and a summary.json;
* ``flagged``: exit status 0 or 3 and a summary.json whose ``flags`` list is not empty;
* ``traceback`` (any other exception), ``hang`` (no end within the time limit) or
  ``silent change`` (a mutation that must change nothing changed a number): failures.

Used by ``tests/test_fuzz.py`` (a few examples per case, in the default suite) and by
``tests/fuzz_report.py`` (hundreds of runs, the counts in docs/robustness.md).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import random
import shutil
import signal
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from sotfit.cli import main

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"

#: Seconds one command may take before it counts as a hang.
TIME_LIMIT = 60


@dataclass
class Outcome:
    """How one command ended."""

    kind: str  # error | result | flagged | traceback | hang
    status: int | None = None
    message: str = ""
    summary: dict | None = None
    argv: list = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.kind in ("traceback", "hang")


class _Timeout(Exception):
    pass


def _alarm(signum, frame):  # pragma: no cover - only on a hang
    raise _Timeout


def run(argv: list[str], out: Path, time_limit: int = TIME_LIMIT) -> Outcome:
    """Run ``sotfit argv --out out`` in-process and classify the outcome."""
    argv = [*argv, "--out", str(out)]
    err, std = io.StringIO(), io.StringIO()
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(time_limit)
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(std):
            status = main(argv)
    except SystemExit as exc:  # argparse: usage errors
        status = exc.code
    except _Timeout:
        return Outcome("hang", None, f"no end within {time_limit} s", argv=argv)
    except Exception:  # noqa: BLE001 - any exception is a traceback the user would see
        return Outcome("traceback", None, traceback.format_exc(), argv=argv)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    text = err.getvalue()
    if "Traceback" in text:
        return Outcome("traceback", status, text, argv=argv)
    if status == 2:
        return Outcome("error", 2, text.strip(), argv=argv)
    summary_path = out / "summary.json"
    if status in (0, 3) and summary_path.is_file():
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
        kind = "flagged" if summary.get("flags") else "result"
        return Outcome(kind, status, text.strip(), summary, argv=argv)
    return Outcome("traceback", status, f"exit status {status} without a summary: {text}",
                   argv=argv)


def numbers(summary: dict) -> dict[str, float]:
    """Every reported quantity value of a summary (dotted path -> float)."""
    out: dict[str, float] = {}

    def walk(obj, path):
        if isinstance(obj, dict):
            if "value" in obj and "unit" in obj and isinstance(obj["value"], (int, float)):
                out[path] = float(obj["value"])
                return
            for k, v in obj.items():
                if k not in ("flags", "notes", "files", "inputs"):
                    walk(v, f"{path}.{k}" if path else k)
        elif isinstance(obj, list):
            for i, v in enumerate(obj):
                walk(v, f"{path}[{i}]")

    walk(summary, "")
    return out


def same_numbers(a: dict, b: dict, rtol: float = 1e-9) -> list[str]:
    """Names of the quantities that differ between two summaries (beyond ``rtol``)."""
    na, nb = numbers(a), numbers(b)
    diff = sorted(set(na) ^ set(nb))
    for k in set(na) & set(nb):
        x, y = na[k], nb[k]
        if math.isnan(x) and math.isnan(y):
            continue
        if not math.isclose(x, y, rel_tol=rtol, abs_tol=1e-300):
            diff.append(k)
    return diff


# ------------------------------------------------------------------------------------------
# The base cases: commands on bundled data that run in about a second
# ------------------------------------------------------------------------------------------

HALL_CONV = ["--current", "1.5mA", "--current-is", "rms", "--lockin-output", "rms",
             "--r2w-channel", "X", "--gain-2w", "10"]


@dataclass(frozen=True)
class Case:
    """One subcommand on bundled input files (copied, so that mutations touch only copies)."""

    name: str
    files: tuple[str, ...]  # relative to data/
    argv: tuple[str, ...]  # options after the files

    def inputs(self, folder: Path) -> list[Path]:
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for f in self.files:
            dst = folder / Path(f).name
            shutil.copy(DATA / f, dst)
            paths.append(dst)
        return paths

    def command(self, paths) -> list[str]:
        head = ["theory", *self.argv[:1]] if self.name.startswith("theory") else [self.name]
        rest = list(self.argv[1:]) if self.name.startswith("theory") else list(self.argv)
        return [*head, *map(str, paths), *rest]


CASES = {
    "stfmr": Case("stfmr", ("stfmr_example/py_pt_8GHz.csv", "stfmr_example/py_pt_12GHz.csv",
                            "stfmr_example/py_pt_16GHz.csv"),
                  ("--no-figures", "--no-global")),
    "hall": Case("hall", ("hall_example/inplane/phi_050mT.csv",
                          "hall_example/inplane/phi_100mT.csv",
                          "hall_example/inplane/phi_200mT.csv",
                          "hall_example/inplane/phi_400mT.csv"),
                 ("--method", "avci", *HALL_CONV, "--meff", "0.8T", "--r-ahe", "0.8Ohm",
                  "--no-figures")),
    "hayashi": Case("hall", ("hall_example/pma/sweep_x_up.csv", "hall_example/pma/sweep_x_down.csv",
                             "hall_example/pma/sweep_y_up.csv", "hall_example/pma/sweep_y_down.csv"),
                    ("--method", "hayashi", *HALL_CONV, "--r-phe", "0.15Ohm", "--no-figures")),
    "thickness": Case("thickness", ("thickness_example/nife_bisb.csv",
                                    "thickness_example/cotb_bisb.csv"), ("--joint", "--no-figures")),
    "theory-kp": Case("theory-kp", (), ("kp", "--model", "2deg", "--sweep", "mu=0:0.01:3",
                                        "--no-figures")),
    "theory-interface": Case("theory-interface", (),
                             ("interface", "--model", "barrier", "--map", "dt=0:1:2,J=0.1:1:2",
                              "--no-figures")),
    "theory-tmatrix": Case("theory-tmatrix", (),
                           ("tmatrix", "--exchange", "5meV", "--sweep", "energy=1meV:9meV:3",
                            "--no-figures")),
}


# ------------------------------------------------------------------------------------------
# Mutations of a text file
# ------------------------------------------------------------------------------------------

def _split(text: str):
    lines = text.splitlines()
    head = next((i for i, ln in enumerate(lines) if ln.strip() and ln.strip()[0] in "-+.0123456789"),
                len(lines))
    return lines[:head], lines[head:]


def _delimiter(line: str) -> str:
    return "\t" if "\t" in line else ("," if "," in line else " ")


# Mutations that must leave every number unchanged.
def crlf(text, rng):
    return text.replace("\n", "\r\n")


def comment_on_top(text, rng):
    return "# exported by the acquisition program\n# operator: someone\n" + text


def blank_lines_at_end(text, rng):
    return text.rstrip("\n") + "\n\n\n"


def byte_order_mark(text, rng):
    return "\ufeff" + text


def trailing_spaces(text, rng):
    return "\n".join(ln + "  " if ln.strip() else ln for ln in text.splitlines()) + "\n"


INVARIANT = {f.__name__: f for f in (crlf, comment_on_top, blank_lines_at_end, byte_order_mark,
                                     trailing_spaces)}

#: Cell contents a corrupted export may hold.
BAD_TOKENS = ["", "nan", "inf", "-inf", "1e300", "-1e300", "abc", "1,5", "0", "--", "1e-300",
              "NaN", "#N/A", "  ", "1.2.3", "+", "1e", "٣"]


# Mutations that may change the outcome (any class but a failure is fine).
def bad_cell(text, rng):
    head, data = _split(text)
    if not data:
        return text
    i = rng.randrange(len(data))
    d = _delimiter(data[i])
    cells = data[i].split(d)
    cells[rng.randrange(len(cells))] = rng.choice(BAD_TOKENS)
    data[i] = d.join(cells)
    return "\n".join(head + data) + "\n"


def drop_lines(text, rng):
    lines = text.splitlines()
    k = rng.randint(1, max(1, len(lines) // 3))
    start = rng.randrange(len(lines))
    return "\n".join(lines[:start] + lines[start + k:]) + "\n"


def duplicate_line(text, rng):
    lines = text.splitlines()
    i = rng.randrange(len(lines))
    return "\n".join(lines[: i + 1] + [lines[i]] + lines[i + 1:]) + "\n"


def truncate(text, rng):
    return text[: rng.randrange(len(text) + 1)]


def random_bytes(text, rng):
    i = rng.randrange(len(text) + 1)
    junk = "".join(chr(rng.randrange(1, 0x2FF)) for _ in range(rng.randint(1, 20)))
    return text[:i] + junk + text[i:]


def shuffle_rows(text, rng):
    head, data = _split(text)
    rng.shuffle(data)
    return "\n".join(head + data) + "\n"


def scale_column(text, rng):
    head, data = _split(text)
    if not data:
        return text
    d = _delimiter(data[0])
    j = rng.randrange(len(data[0].split(d)))
    factor = rng.choice([0.0, -1.0, 1e6, 1e-6, 1e300])
    out = []
    for ln in data:
        cells = ln.split(d)
        try:
            cells[j] = repr(float(cells[j]) * factor)
        except (ValueError, IndexError):
            pass
        out.append(d.join(cells))
    return "\n".join(head + out) + "\n"


def rename_header(text, rng):
    head, data = _split(text)
    if not head:
        return text
    i = len(head) - 1
    d = _delimiter(head[i])
    cells = head[i].split(d)
    cells[rng.randrange(len(cells))] = rng.choice(["x", "", "value (furlong)", "Field", "V (V)"])
    head[i] = d.join(cells)
    return "\n".join(head + data) + "\n"


def empty(text, rng):
    return rng.choice(["", "\n", "# only a comment\n", text.splitlines()[0] + "\n"])


MUTATIONS = {f.__name__: f for f in (bad_cell, drop_lines, duplicate_line, truncate, random_bytes,
                                     shuffle_rows, scale_column, rename_header, empty)}


def mutate_file(path: Path, mutation, seed: int) -> None:
    """Apply ``mutation`` to the copy at ``path`` (never to a bundled file)."""
    assert DATA not in path.resolve().parents
    text = path.read_text(encoding="utf-8")
    path.write_text(mutation(text, random.Random(seed)), encoding="utf-8", newline="")


# ------------------------------------------------------------------------------------------
# Option values at and beyond their domains
# ------------------------------------------------------------------------------------------

#: Values tried for options with a unit: zero, negative, absurd, non-finite, unitless, wrong unit.
BAD_QUANTITIES = ["0", "-1", "0nm", "-5nm", "1e300nm", "nan", "inf", "-inf", "3", "1MA", "0.8Mohm",
                  "5 furlongs", "1e-300T", "2", "-0.5", "1e999", "", "0mA", "0um", "0ps", "-2"]

#: Options of each case with a value (names as on the command line).
OPTIONS = {
    "stfmr": ["--t-fm", "--t-nm", "--width", "--irf", "--ms", "--rho", "--delta-r",
              "--current-fraction", "--angle", "--g", "--gyromagnetic-ratio", "--frequency",
              "--window-widths", "--field-unit", "--voltage-unit"],
    "hall": ["--current", "--r-ahe", "--meff", "--t-fm", "--t-nm", "--width", "--ms",
             "--resistivity", "--current-fraction", "--gain-2w", "--gain-1w", "--max-lag",
             "--voltage-unit"],
    "hayashi": ["--r-phe", "--max-field", "--theta-h-stderr", "--current", "--gain-2w"],
    "thickness": ["--rho", "--walkers", "--steps", "--fix", "--thickness"],
    "theory-kp": ["--alpha-r", "--j-ex", "--tau", "--kmax", "--n-phi", "--eta", "--temperature",
                  "--theta-m"],
    "theory-interface": ["--fermi-energy", "--n-phi", "--n-theta", "--t0", "--t-c",
                         "--lattice-constant"],
    "theory-tmatrix": ["--exchange", "--alpha", "--u", "--density", "--n-phi", "--velocity",
                       "--radius", "--mass", "--theta"],
}


def with_option(argv: list[str], option: str, value: str) -> list[str]:
    """``argv`` with ``option`` set to ``value`` (replacing an earlier value)."""
    out = list(argv)
    if option in out:
        i = out.index(option)
        del out[i: i + 2]
    return [*out, f"{option}={value}"]

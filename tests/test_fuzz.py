"""Property-based fuzzing of every subcommand and reader (hypothesis; the harness is fuzzing.py).

Properties, for every case in :data:`fuzzing.CASES`:

* a mutated input file gives a clear error (naming the file), a result or a flagged result:
  never a traceback, never a hang;
* a mutation that must change nothing (line endings, a comment on top, blank lines at the end,
  a byte-order mark, trailing spaces) changes no reported number (1e-9 relative);
* an option at or beyond its domain gives a clear error naming the option, or a result: never a
  traceback;
* input files are never modified.

The default suite tries a few examples per property; ``python tests/fuzz_report.py`` runs
hundreds and counts the outcome classes (docs/robustness.md).
"""

import hashlib
import os

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import fuzzing  # noqa: E402

EXAMPLES = int(os.environ.get("SOTFIT_FUZZ_EXAMPLES", "6"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

FILE_CASES = [k for k, c in fuzzing.CASES.items() if c.files]


def _hash(paths):
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


_BASE: dict = {}


def _base(name, tmp_path_factory):
    """The unmutated run of a case (once per session)."""
    if name not in _BASE:
        case = fuzzing.CASES[name]
        d = tmp_path_factory.mktemp(f"base-{name}")
        paths = case.inputs(d / "in")
        _BASE[name] = fuzzing.run(case.command(paths), d / "out")
    return _BASE[name]


def _assert_no_failure(o: fuzzing.Outcome):
    assert not o.failed, f"{o.kind} for {' '.join(o.argv)}:\n{o.message}"
    if o.kind == "error":
        assert "error:" in o.message and "\n" not in o.message.split("error:", 1)[1].strip() \
            or o.message.startswith("usage:"), o.message


@pytest.mark.parametrize("name", sorted(fuzzing.CASES))
def test_unmutated_cases_run(name, tmp_path_factory):
    o = _base(name, tmp_path_factory)
    assert o.kind in ("result", "flagged"), o.message


@pytest.mark.parametrize("name", FILE_CASES)
@pytest.mark.parametrize("mutation", sorted(fuzzing.INVARIANT))
def test_mutations_that_change_nothing(name, mutation, tmp_path):
    case = fuzzing.CASES[name]
    paths = case.inputs(tmp_path / "in")
    base = fuzzing.run(case.command(paths), tmp_path / "base")
    for k, p in enumerate(paths):
        fuzzing.mutate_file(p, fuzzing.INVARIANT[mutation], seed=k)
    o = fuzzing.run(case.command(paths), tmp_path / "out")
    _assert_no_failure(o)
    assert o.kind == base.kind, o.message
    assert fuzzing.same_numbers(base.summary, o.summary) == []


@pytest.mark.parametrize("name", FILE_CASES)
@given(data=st.data())
@FUZZ
def test_mutated_files_never_crash(name, data, tmp_path_factory):
    case = fuzzing.CASES[name]
    d = tmp_path_factory.mktemp(f"mut-{name}")
    paths = case.inputs(d / "in")
    which = data.draw(st.sampled_from(sorted(fuzzing.MUTATIONS)), label="mutation")
    k = data.draw(st.integers(0, len(paths) - 1), label="file")
    seed = data.draw(st.integers(0, 2**31 - 1), label="seed")
    fuzzing.mutate_file(paths[k], fuzzing.MUTATIONS[which], seed)
    before = _hash(paths)
    o = fuzzing.run(case.command(paths), d / "out")
    _assert_no_failure(o)
    assert _hash(paths) == before
    if o.kind == "error" and which != "empty":
        # the message names a file, a column or an option
        assert any(p.name in o.message for p in paths) or "--" in o.message or \
            "column" in o.message, o.message


@pytest.mark.parametrize("name", sorted(fuzzing.OPTIONS))
@given(data=st.data())
@FUZZ
def test_options_at_and_beyond_their_domains(name, data, tmp_path_factory):
    case = fuzzing.CASES[name]
    d = tmp_path_factory.mktemp(f"opt-{name}")
    paths = case.inputs(d / "in")
    option = data.draw(st.sampled_from(fuzzing.OPTIONS[name]), label="option")
    value = data.draw(st.sampled_from(fuzzing.BAD_QUANTITIES), label="value")
    o = fuzzing.run(fuzzing.with_option(case.command(paths), option, value), d / "out")
    _assert_no_failure(o)
    if o.kind == "error":
        assert option in o.message or option.lstrip("-") in o.message or \
            option.lstrip("-").replace("-", "_") in o.message, o.message

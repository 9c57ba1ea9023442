"""sotfit.parallel.map_tasks: order, shared data, progress and errors, serial and on processes."""

import sys
import time

import pytest

from sotfit.parallel import DASK_HINT, map_tasks


def _slow_square(x):
    time.sleep(0.05 * (3 - x))              # later items finish first
    return x * x


def _scaled(shared, x):
    return shared["factor"] * x


def _fail(x):
    raise RuntimeError(f"task {x} failed")


@pytest.mark.parametrize("workers", [None, 1, 2])
def test_results_in_input_order(workers):
    seen = []
    out = map_tasks(_slow_square, range(4), workers=workers, progress=lambda d, t: seen.append((d, t)))
    assert out == [0, 1, 4, 9]
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]


@pytest.mark.parametrize("workers", [None, 2])
def test_shared_data_reaches_every_task(workers):
    assert map_tasks(_scaled, [1, 2, 3], workers=workers, shared={"factor": 10}) == [10, 20, 30]
    assert map_tasks(_scaled, [], workers=workers, shared={"factor": 10}) == []


@pytest.mark.parametrize("workers", [None, 2])
def test_task_errors_propagate(workers):
    with pytest.raises(RuntimeError, match=r"task \d failed"):
        map_tasks(_fail, [0, 1], workers=workers)


def test_bad_arguments():
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="workers"):
            map_tasks(abs, [1], workers=bad)
    with pytest.raises(ValueError, match="either workers"):
        map_tasks(abs, [1], workers=2, scheduler="tcp://127.0.0.1:8786")
    with pytest.raises(ValueError, match="address"):
        map_tasks(abs, [1], scheduler="")


def test_missing_dask_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)       # import fails as if absent
    with pytest.raises(ImportError, match=r"pip install sotfit\[dask\]"):
        map_tasks(abs, [1], scheduler="tcp://127.0.0.1:8786")
    assert "sotfit[dask]" in DASK_HINT


def _thread_variables(_):
    import os

    from sotfit.parallel import THREAD_VARIABLES
    return {v: os.environ.get(v) for v in THREAD_VARIABLES}


def test_local_processes_get_a_share_of_the_threads(monkeypatch):
    import os

    from sotfit.parallel import THREAD_VARIABLES
    for v in THREAD_VARIABLES:
        monkeypatch.delenv(v, raising=False)
    monkeypatch.setenv("MKL_NUM_THREADS", "3")                   # a value the user set is kept
    share = str(max(1, (os.cpu_count() or 1) // 2))
    out = map_tasks(_thread_variables, [0, 1], workers=2)
    assert out[0] == {"OPENBLAS_NUM_THREADS": share, "OMP_NUM_THREADS": share, "MKL_NUM_THREADS": "3"}
    assert "OPENBLAS_NUM_THREADS" not in os.environ               # restored here


def test_import_in_background_imports_and_leaves_failures_to_the_importer(capfd):
    """The imports a run needs later are made in a thread while it waits; a module that does
    not exist is left to the import that needs it (nothing raised or printed here)."""
    import sys

    from sotfit.parallel import import_in_background

    sys.modules.pop("colorsys", None)
    import_in_background("sotfit_no_such_module", "colorsys").join()
    assert "colorsys" in sys.modules
    out, err = capfd.readouterr()
    assert out == "" and err == ""


@pytest.mark.parametrize("workers", [None, 2])
def test_each_result_is_handed_over_once_as_it_arrives(workers):
    """``on_result`` gets every task's index and result once (in the order they finish), in
    this process; the returned list is in the order of the items."""
    got = []
    out = map_tasks(_slow_square, range(4), workers=workers,
                    on_result=lambda i, r: got.append((i, r)))
    assert out == [0, 1, 4, 9]
    assert sorted(got) == [(0, 0), (1, 1), (2, 4), (3, 9)]


def test_more_workers_than_cores_are_named(monkeypatch):
    """--workers 64 on a 2-core allocation started 64 processes that took turns on the cores,
    without a word: it warns, naming both counts; the results are those of the serial run."""
    import sotfit.parallel as par

    monkeypatch.setattr(par, "usable_cores", lambda: 1)
    with pytest.warns(UserWarning, match=r"2 worker processes on 1 usable core\(s\)"):
        out = map_tasks(_slow_square, [0, 1, 2], workers=2)
    assert out == [0, 1, 4]


def test_usable_cores_follow_the_affinity():
    import os

    from sotfit.parallel import usable_cores
    if hasattr(os, "sched_getaffinity"):
        assert usable_cores() == len(os.sched_getaffinity(0))
    assert 1 <= usable_cores() <= (os.cpu_count() or 1)

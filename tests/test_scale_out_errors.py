"""Scale-out that cannot run says so in one line (exit status 2), and what does not scale is
left out by default or said: no scheduler at the address, a cluster without workers, a worker
process killed, options that keep the files in one task, the global fit of many spectra, the
progress bar's clock."""

import io
import os
import socket
import time
from pathlib import Path

import pytest

import sotfit.parallel as parallel
from sotfit.cli import main

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "stfmr_example"


def _square(x):
    return x * x


def _times(factor, x):
    return factor * x


def _die(x):
    if x == 3:
        os._exit(1)          # a worker killed (OOM killer, kill -9)
    return x


def _sleep(seconds):
    time.sleep(seconds)
    return seconds


def _interrupt(i, result):
    raise KeyboardInterrupt


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_no_scheduler_at_the_address_is_one_error(monkeypatch):
    """A 40-line traceback ('Timed out trying to connect') with exit status 1 before."""
    pytest.importorskip("distributed")
    monkeypatch.setattr(parallel, "CONNECT_TIMEOUT_S", 2.0)
    with pytest.raises(parallel.ParallelError, match="no dask scheduler answered"):
        parallel.map_tasks(_square, [1, 2], scheduler=f"tcp://127.0.0.1:{_closed_port()}")


def test_a_cluster_without_workers_is_waited_for_then_one_error(monkeypatch, capsys):
    """A cluster whose worker jobs are still queued: 'No valid workers found' in a traceback
    after 30 s before; now the run waits for a worker (WAIT_FOR_WORKERS_S), saying so."""
    distributed = pytest.importorskip("distributed")
    monkeypatch.setattr(parallel, "WAIT_FOR_WORKERS_S", 2.0)
    with distributed.LocalCluster(n_workers=0, dashboard_address=None) as cluster:
        with pytest.raises(parallel.ParallelError, match="no worker joined"):
            parallel.map_tasks(_square, [1, 2], scheduler=cluster.scheduler_address)
    assert "waiting for a worker to join" in capsys.readouterr().err


def test_a_killed_worker_process_is_one_error():
    """BrokenProcessPool ended the run in a traceback with exit status 1."""
    with pytest.raises(parallel.ParallelError, match="a worker process ended"):
        parallel.map_tasks(_die, list(range(6)), workers=2)


def test_an_interrupted_run_stops_its_workers_at_once():
    """Ctrl-C or SIGTERM waited for every running task before (43 s for a kp map whose tasks
    are long); now the queued tasks are cancelled and the processes terminated."""
    import multiprocessing.connection

    t0 = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        parallel.map_tasks(_sleep, [0, 10, 10, 10], workers=2, on_result=_interrupt)
    assert time.perf_counter() - t0 < 8
    # ended (a process reaped by the pool's thread can still look alive to multiprocessing)
    left = multiprocessing.active_children()
    assert len(multiprocessing.connection.wait([p.sentinel for p in left], 1.0)) == len(left)


def test_a_worker_ends_when_its_parent_is_gone(monkeypatch):
    """After kill -9 of the command its worker processes waited on their pipe for good."""
    ppid = [os.getppid()]
    monkeypatch.setattr(os, "getppid", lambda: ppid[0])
    exits = []

    def reparent(seconds):
        ppid[0] = 1                  # the parent died, the worker was adopted
    monkeypatch.setattr(time, "sleep", reparent)
    parallel._exit_with_parent(ppid[0], exit=exits.append)
    assert exits == [1]
    parallel._exit_with_parent(ppid[0] + 1, exit=exits.append)     # not its parent at all
    assert exits == [1, 1]


def test_cli_unreachable_scheduler_exits_2_with_one_line(tmp_path, monkeypatch, capsys):
    pytest.importorskip("distributed")
    monkeypatch.setattr(parallel, "CONNECT_TIMEOUT_S", 2.0)
    rc = main(["stfmr", str(EXAMPLE), "--no-figures", "--no-global", "--out", str(tmp_path / "o"),
               "--scheduler", f"tcp://127.0.0.1:{_closed_port()}"])
    err = capsys.readouterr().err
    assert rc == 2 and "sotfit stfmr: error: no dask scheduler answered" in err
    assert "Traceback" not in err and not (tmp_path / "o").exists()


def test_a_port_where_nothing_listens_is_said_at_once(tmp_path, capsys):
    """dask retried the refused connection until its timeout: 21 s for the one line."""
    pytest.importorskip("distributed")
    address = f"tcp://127.0.0.1:{_closed_port()}"
    t0 = time.perf_counter()
    rc = main(["stfmr", str(EXAMPLE), "--no-figures", "--no-global", "--out", str(tmp_path / "o"),
               "--scheduler", address])
    elapsed = time.perf_counter() - t0
    err = capsys.readouterr().err
    assert rc == 2 and elapsed < 5, elapsed
    assert f"no dask scheduler answered at {address!r} (connection refused" in err
    assert len(err.strip().splitlines()) == 1 and not (tmp_path / "o").exists()


def test_an_unknown_host_is_said_at_once():
    pytest.importorskip("distributed")
    t0 = time.perf_counter()
    with pytest.raises(parallel.ParallelError,
                       match=r"no dask scheduler answered at .*\(unknown host"):
        parallel.map_tasks(_square, [1, 2], scheduler="tcp://no-such-host.invalid:8786")
    assert time.perf_counter() - t0 < 5


def _fitted(out):
    import json

    return json.loads((out / "summary.json").read_text())["sequential"]


def test_options_naming_files_keep_them_in_this_process(tmp_path, capsys):
    """--frequency FILE=... keeps the list in one task: with --workers it was sent to a worker
    anyway (with --scheduler, by a relative path: 'no such file' on the worker); now it is
    fitted here, with a note, and the numbers are the serial run's."""
    named = ["--frequency", "py_pt_8GHz.csv=8GHz"]
    assert main(["stfmr", str(EXAMPLE), *named, "--no-figures", "--no-global",
                 "--out", str(tmp_path / "serial")]) == 0
    assert main(["stfmr", str(EXAMPLE), *named, "--no-figures", "--no-global", "--workers", "2",
                 "--out", str(tmp_path / "workers")]) == 0
    assert "keeps them in one task" in capsys.readouterr().err
    assert _fitted(tmp_path / "serial") == _fitted(tmp_path / "workers")


def test_global_fit_left_out_above_the_limit_unless_asked(tmp_path, monkeypatch):
    """The global fit's cost grows about as the cube of the spectra (72 took 11 minutes, 300
    did not end): above GLOBAL_MAX_SPECTRA it is left out with a note; --global runs it."""
    import json

    import sotfit.cli.stfmr as stfmr_cli

    monkeypatch.setattr(stfmr_cli, "GLOBAL_MAX_SPECTRA", 4)        # the example has six
    assert main(["stfmr", str(EXAMPLE), "--no-figures", "--out", str(tmp_path / "cap")]) == 0
    cap = json.loads((tmp_path / "cap" / "summary.json").read_text())
    assert "global" not in cap
    assert any(n.startswith("no global fit: 6 spectra, more than 4") for n in cap["notes"])
    assert main(["stfmr", str(EXAMPLE), "--no-figures", "--global",
                 "--out", str(tmp_path / "all")]) == 0
    assert "global" in json.loads((tmp_path / "all" / "summary.json").read_text())


#: Run on a dask worker: forget sotfit and refuse to import it again (a worker without sotfit).
_FORGET_SOTFIT = """
import sys
for name in [n for n in sys.modules if n == "sotfit" or n.startswith("sotfit.")]:
    del sys.modules[name]
sys.modules["sotfit"] = None
"""


@pytest.fixture(scope="module")
def cluster_without_sotfit():
    """The address of a one-worker dask cluster whose worker cannot import sotfit."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        with distributed.Client(cluster.scheduler_address) as client:
            client.run(exec, _FORGET_SOTFIT)
        yield cluster.scheduler_address


def test_workers_without_sotfit_are_one_error(cluster_without_sotfit):
    """Data shared by every task (stfmr, theory kp --map) is scattered to the workers, which
    cannot unpickle it: a bare ``Exception`` in a 65-line traceback, exit status 1, before."""
    with pytest.raises(parallel.ParallelError, match="cannot import sotfit"):
        parallel.map_tasks(_square, [1, 2], scheduler=cluster_without_sotfit,
                           shared=parallel.TaskPool)


def test_workers_of_another_sotfit_are_refused_at_connect(monkeypatch):
    """Workers of another sotfit hung 'sotfit stfmr --scheduler' for good (results this
    process could not unpickle, hundreds of 'Failed to deserialize' lines)."""
    distributed = pytest.importorskip("distributed")
    other = dict(parallel.sotfit_fingerprint(), sha256="0" * 16)
    monkeypatch.setattr(parallel, "sotfit_fingerprint", lambda: other)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        with pytest.raises(parallel.ParallelError, match="run a different sotfit"):
            parallel.map_tasks(_square, [1, 2], scheduler=cluster.scheduler_address)


#: Run on a dask worker: this worker runs another sotfit (its fingerprint differs), or an
#: older one (without the check of each task).
_ANOTHER_SOTFIT = {"another": """
import sotfit.parallel as p
other = dict(p.sotfit_fingerprint(), sha256="0" * 16)
p.sotfit_fingerprint = lambda fp=other: fp
""", "older": """
import sotfit.parallel as p
p.__dict__.pop("_run_checked", None)
"""}


def _map_in_a_pool(fn, items, scheduler):
    with parallel.TaskPool(scheduler=scheduler) as pool:
        return pool.map(fn, items)


@pytest.mark.parametrize("run", [
    lambda address: parallel.map_tasks(_square, [1, 2, 3], scheduler=address),
    lambda address: parallel.map_tasks(_times, [1, 2, 3], scheduler=address, shared=2),
    lambda address: _map_in_a_pool(_square, [1, 2, 3], address)],
    ids=["map_tasks", "shared", "TaskPool"])
@pytest.mark.parametrize("sotfit", ["another", "older"])
def test_a_worker_of_another_sotfit_joining_after_the_check_is_one_error(monkeypatch, run,
                                                                         sotfit):
    """The workers are asked which sotfit they run on connecting; a worker that joined later
    (a batch job that started late) ran the tasks with its own code, or hung the command with
    results this process could not unpickle, or with tasks the worker could not unpickle
    ('Failed to deserialize', its link to the scheduler closed). Each task now checks its
    worker first, and is unpickled by the task itself."""
    distributed = pytest.importorskip("distributed")
    checked = parallel._check_same_sotfit
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        def then_another_joins(client, address):
            checked(client, address)        # the one worker there runs this sotfit
            first = list(client.scheduler_info()["workers"])
            cluster.scale(2)
            client.wait_for_workers(2, timeout=60)
            late = [w for w in client.scheduler_info()["workers"] if w not in first]
            client.run(exec, _ANOTHER_SOTFIT[sotfit], workers=late)
            client.retire_workers(first)
            assert list(client.scheduler_info()["workers"]) == late
        monkeypatch.setattr(parallel, "_check_same_sotfit", then_another_joins)
        t0 = time.perf_counter()
        with pytest.raises(parallel.ParallelError,
                           match=r"a worker that joined the dask cluster after the check on "
                                 r"connecting runs a different sotfit \(.*"
                                 + (r"tcp://.*SHA-256 0{16}; the command: sotfit "
                                    if sotfit == "another" else "a sotfit older than this one")
                                 + r".*install this sotfit on every worker"):
            run(cluster.scheduler_address)
        assert time.perf_counter() - t0 < 60


def test_data_a_late_worker_cannot_unpickle_is_one_error(monkeypatch):
    """Data shared by every task, scattered to a worker that joined after the check and whose
    older sotfit lacks its class: a bare ``Exception`` ("Can't get attribute 'TaskPool' on
    <module 'sotfit.parallel'>") said as if a task had raised it."""
    distributed = pytest.importorskip("distributed")
    checked = parallel._check_same_sotfit
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        def then_another_joins(client, address):
            checked(client, address)
            first = list(client.scheduler_info()["workers"])
            cluster.scale(2)
            client.wait_for_workers(2, timeout=60)
            late = [w for w in client.scheduler_info()["workers"] if w not in first]
            client.run(exec, "import sotfit.parallel as p\np.__dict__.pop('TaskPool', None)\n",
                       workers=late)
            client.retire_workers(first)
        monkeypatch.setattr(parallel, "_check_same_sotfit", then_another_joins)
        with pytest.raises(parallel.ParallelError,
                           match="cannot import sotfit, or run a different sotfit .*TaskPool"):
            parallel.map_tasks(_times, [1, 2, 3], scheduler=cluster.scheduler_address,
                               shared=parallel.TaskPool)


def test_progress_clock_starts_when_the_bar_is_made():
    """The bar was made at the first report: 72 files '[00:00<00:00, 2082688 it/s]'."""
    pytest.importorskip("tqdm")
    from sotfit.progress import Progress

    stream = io.StringIO()
    bar = Progress("files", stream=stream, force=True)
    time.sleep(0.3)
    bar(1, 10)
    elapsed = bar._bar.format_dict["elapsed"]
    bar.close()
    assert elapsed >= 0.3

"""Failures of the executor said in one line, not as a hang or a traceback: a port that
accepts but does not speak dask, an address that is no scheduler's, and the progress of
chunks counted as they finish."""

import socket
import threading
import time

import pytest

import sotfit.parallel as parallel
from sotfit.parallel import ParallelError, _worker_failure

distributed = pytest.importorskip("distributed")


def test_a_port_that_accepts_but_does_not_speak_dask(monkeypatch):
    """A web server or a silent listener held 'sotfit stfmr --scheduler' for good (dask's
    timeout covers the connection, not the handshake)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    accepted = []
    stop = threading.Event()

    def serve():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])     # accept, say nothing
            except OSError:
                pass
    threading.Thread(target=serve, daemon=True).start()
    monkeypatch.setattr(parallel, "CONNECT_TIMEOUT_S", 1.0)
    address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
    t0 = time.perf_counter()
    try:
        with pytest.raises(ParallelError, match="did not answer within|no dask scheduler"):
            parallel.map_tasks(abs, [1, 2], scheduler=address)
    finally:
        stop.set()
        server.close()
    assert time.perf_counter() - t0 < 10


@pytest.mark.parametrize("address", ["nonsense", "localhost", "http://127.0.0.1:8787"])
def test_an_address_that_is_no_schedulers(address):
    with pytest.raises(ParallelError, match="is not the address of a dask scheduler"):
        parallel.map_tasks(abs, [1, 2], scheduler=address)


@pytest.mark.parametrize("address, problem", [
    ("tcp://", "no :PORT"), (":8786", "no host"), ("tcp://127.0.0.1:notaport", "port 'notaport'"),
    ("tcp://127.0.0.1:99999", "port '99999'"), ("tcp://127.0.0.1:8786/", "a '/' after the port"),
    ("TCP://127.0.0.1:8786", "protocol 'TCP'"), ("inproc://x", "protocol 'inproc'")])
def test_a_malformed_address_is_named_at_once(address, problem):
    """These failed in about a second but said 'no dask scheduler answered ... within 20 s'."""
    t0 = time.perf_counter()
    with pytest.raises(ParallelError, match="is not the address of a dask scheduler") as err:
        parallel.map_tasks(abs, [1, 2], scheduler=address)
    assert problem in str(err.value) and time.perf_counter() - t0 < 1


def test_well_formed_addresses_pass():
    for address in ("tcp://10.0.0.12:8786", "127.0.0.1:8786", "tls://[::1]:8786", "ws://h:1"):
        assert parallel._address_problem(address) is None


def test_executor_failures_and_task_errors_are_told_apart():
    import concurrent.futures as cf

    assert isinstance(_worker_failure(cf.process.BrokenProcessPool("gone"), False),
                      ParallelError)
    assert isinstance(_worker_failure(cf.CancelledError(), True), ParallelError)
    assert isinstance(_worker_failure(ModuleNotFoundError("No module named 'sotfit'"), True),
                      ParallelError)
    from distributed.comm.core import CommClosedError

    assert isinstance(_worker_failure(CommClosedError("in <TCP ...>"), True), ParallelError)
    # the task's own errors are said as they are
    assert _worker_failure(ValueError("bad file"), True) is None
    assert _worker_failure(ModuleNotFoundError("x"), False) is None


def test_a_worker_of_another_sotfit_is_told_from_a_tasks_own_error():
    """What a task says on a worker of another sotfit (the check of each task), of an older
    one (without that check), or on a worker whose sotfit lacks a scattered object's class."""
    other = RuntimeError(f"{parallel.DIFFERENT_SOTFIT} (tcp://10.0.0.7:40000: sotfit 0.1.0, "
                         "235 .py files with SHA-256 0000000000000000; the command: ...)")
    said = _worker_failure(other, True)
    assert isinstance(said, ParallelError)
    assert "joined the dask cluster after the check" in str(said)
    assert "tcp://10.0.0.7:40000: sotfit 0.1.0" in str(said)
    older = AttributeError("module 'sotfit.parallel' has no attribute '_run_checked'")
    assert "a sotfit older than this one" in str(_worker_failure(older, True))
    missing = Exception("AttributeError(\"Can't get attribute 'Model' on <module "
                        "'sotfit.models' from '/x/sotfit/models/__init__.py'>\")")
    assert "cannot import sotfit" in str(_worker_failure(missing, True))
    # the task's own errors, and the same words from local processes, are said as they are
    assert _worker_failure(RuntimeError("this dask worker ran out of data"), True) is None
    assert _worker_failure(AttributeError("Can't get attribute 'f' on <module 'mine'>"),
                           True) is None
    assert _worker_failure(other, False) is None


def test_a_checked_task_runs_its_call_on_a_worker_of_this_sotfit():
    """The task sent to a dask worker is a builtin (eval) with the call pickled as bytes."""
    submitted = parallel._checked_task(divmod, (7,), (23,))
    assert submitted[0] is eval and isinstance(submitted[2]["payload"], bytes)
    assert submitted[0](*submitted[1:]) == (3, 2)
    expected = dict(parallel.sotfit_fingerprint(), sha256="0" * 16)
    with pytest.raises(RuntimeError, match=parallel.DIFFERENT_SOTFIT):
        parallel._run_checked(expected, submitted[2]["payload"], 23)


def test_progress_counts_the_files_of_the_chunks_that_finished(monkeypatch):
    """Chunks of 250 and 50 files: the 50 finished first and the bar said 250 of 300."""
    from sotfit.analysis.stfmr import file_batches

    def finish_last_first(fn, chunks, *, progress, on_result, **kw):
        out = [None] * len(chunks)
        for done, i in enumerate(reversed(range(len(chunks))), start=1):
            out[i] = ([], [], [])
            on_result(i, out[i])
            progress(done, len(chunks))
        return out
    monkeypatch.setattr(parallel, "map_tasks", finish_last_first)
    seen = []
    file_batches.read_and_fit([["a"] * 250, ["b"] * 50], {}, progress=seen.append)
    assert seen == [50, 300]

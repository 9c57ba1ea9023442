"""Run independent tasks serially, on local processes or on a dask.distributed cluster.

:func:`map_tasks` is a thin adapter over :class:`concurrent.futures.Executor`:

* ``workers=None`` or ``1`` (and no ``scheduler``): a plain loop in this process;
* ``workers=n``: a :class:`~concurrent.futures.ProcessPoolExecutor` with ``n`` local processes,
  started by ``spawn`` (no fork of a threaded process; a script that uses it needs the usual
  ``if __name__ == "__main__":`` guard). Each process gets cpu_count // n BLAS/OpenMP threads
  (``OPENBLAS_NUM_THREADS``, ``OMP_NUM_THREADS``, ``MKL_NUM_THREADS``; values already set are
  kept), so that n processes do not start n x cpu_count threads;
* ``scheduler="tcp://host:port"``: the executor of a ``dask.distributed.Client`` connected to a
  running scheduler (``pip install sotfit[dask]``; dask is imported only then).

Results always come back in the order of ``items``, whatever order the tasks finish in, so a
parallel run returns exactly what the serial run returns as long as every task is a pure
function of its item (seed random numbers per item, never per worker).

:class:`TaskPool` keeps one such executor open for many calls of its ``map`` (an emcee
``pool``: a sampler calls ``map`` at every step, so processes are started once per run, not
once per step).

Large read-only data used by every task (a sparse Hamiltonian, say) is passed once as ``shared``:
each local process receives it once at start-up and a dask cluster receives it once per worker
(scattered with ``broadcast=True``), instead of once per task.
"""

from __future__ import annotations

import concurrent.futures as cf
import functools
import importlib
import multiprocessing
import os
import threading
import warnings
from contextlib import contextmanager
from typing import Callable, Iterable

__all__ = ["map_tasks", "TaskPool", "DASK_HINT", "import_in_background", "ParallelError"]


class ParallelError(RuntimeError):
    """Workers that cannot run the tasks: no scheduler at the address, no worker joins its
    cluster, a worker process that ended before its task was done."""


#: Seconds to wait for the first worker of a dask cluster that has none yet (the worker jobs
#: of a batch system are often still queued when the scheduler's address is printed).
WAIT_FOR_WORKERS_S = 600.0
#: Seconds to wait for a dask scheduler to answer: for a TCP connection to its host and port
#: (a port where nothing listens is refused at once, and said so), then for dask's handshake.
CONNECT_TIMEOUT_S = 20.0

DASK_HINT = "install the optional extra with `pip install sotfit[dask]`"
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")

_NOTHING = object()
_WORKER_STATE: tuple | None = None       # (fn, shared) in a local worker process


#: Seconds between two looks of a local worker process at its parent.
PARENT_CHECK_S = 1.0


def _start_worker(initializer, initargs, parent: int) -> None:
    """A local worker process: Ctrl-C is left to the command (the workers printed a traceback
    each), the process ends with its ``parent`` (:func:`_exit_with_parent`), then
    ``initializer(*initargs)``."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(parent,), name="sotfit-parent-watch",
                     daemon=True).start()
    if initializer is not None:
        initializer(*initargs)


def _exit_with_parent(parent: int, interval: float | None = None, exit=os._exit) -> None:
    """Return only through ``exit(1)``, called once ``parent`` is no longer this process's
    parent (looked at every ``interval`` s, :data:`PARENT_CHECK_S` by default).

    A worker waits for tasks on a pipe whose both ends it holds, so it never sees the end of a
    parent that was killed (``kill -9``, the out-of-memory killer): the workers and the
    resource tracker stayed alive, adopted by PID 1. Run in a daemon thread of each worker.
    """
    import time

    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_S if interval is None else interval)
    exit(1)


def _set_worker_state(fn, shared) -> None:
    global _WORKER_STATE
    _WORKER_STATE = (fn, shared)


def _call_with_worker_state(item):
    fn, shared = _WORKER_STATE
    return fn(shared, item)


def _check_workers(workers) -> int:
    if workers is None:
        return 1
    if isinstance(workers, bool) or int(workers) != workers or workers < 1:
        raise ValueError(f"workers must be None or an integer >= 1, got {workers!r}")
    return int(workers)


def _reach(address: str, seconds: float) -> OSError | None:
    """The error of opening a TCP connection to the host and port of ``address`` (within
    ``seconds``), or None when one opened (it is closed at once) or the protocol (``ucx``) is
    not TCP.

    dask retries a refused connection until its timeout: a port where nothing listens took
    :data:`CONNECT_TIMEOUT_S` plus a second to be said; the operating system refuses it at once.
    """
    protocol, sep, rest = address.rpartition("://")
    if sep and protocol not in ("tcp", "tls", "ws", "wss"):
        return None
    host, _, port = rest.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]                                   # an IPv6 address, [::1]
    import socket

    try:
        socket.create_connection((host, int(port)), timeout=seconds).close()
    except OSError as exc:
        return exc
    return None


def _unreachable_text(exc: OSError) -> str:
    """Why the TCP connection of :func:`_reach` failed, in a few words."""
    import socket

    if isinstance(exc, ConnectionRefusedError):
        return "connection refused: nothing listens at that port"
    if isinstance(exc, socket.gaierror):
        return f"unknown host: {exc.strerror or exc}"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return f"no answer within {CONNECT_TIMEOUT_S:g} s"
    return f"{type(exc).__name__}: {exc.strerror or exc}"


def _connect(Client, address: str):
    """``Client(address)``, waited for at most :data:`CONNECT_TIMEOUT_S` plus a margin: dask's
    own timeout covers the connection, not the handshake, and a port that accepts but does not
    speak dask (a web server) held the command without a word. The attempt runs in a daemon
    thread, left behind when it does not return.

    A TCP connection is opened first (:func:`_reach`): a port where nothing listens or an
    unknown host is said at once, a host that does not answer after :data:`CONNECT_TIMEOUT_S`.
    """
    unreachable = _reach(address, CONNECT_TIMEOUT_S)
    if unreachable is not None:
        raise ParallelError(f"no dask scheduler answered at {address!r} "
                            f"({_unreachable_text(unreachable)}): start one "
                            "(dask scheduler) and give the address it prints")
    box = _call_within(lambda: Client(address, timeout=CONNECT_TIMEOUT_S), CONNECT_TIMEOUT_S * 1.5)
    if not box:
        raise ParallelError(f"the dask scheduler at {address!r} did not answer within "
                            f"{CONNECT_TIMEOUT_S * 1.5:g} s: something listens there that does "
                            "not speak dask (a web server, another service?); give the address "
                            "the scheduler prints (tcp://HOST:8786)")
    if "error" in box:
        exc = box["error"]
        raise ParallelError(f"no dask scheduler answered at {address!r} within "
                            f"{CONNECT_TIMEOUT_S:g} s ({type(exc).__name__}: {exc}): start one "
                            "(dask scheduler) and give the address it prints")
    return box["value"]


def _call_within(call: Callable, seconds: float) -> dict:
    """``{'value': call()}`` or ``{'error': exception}``, or ``{}`` when ``call`` did not
    return within ``seconds`` (it runs in a daemon thread, left behind then)."""
    box: dict = {}

    def attempt():
        try:
            box["value"] = call()
        except BaseException as exc:    # noqa: BLE001 - said by the caller
            box["error"] = exc
    t = threading.Thread(target=attempt, name="sotfit-dask-call", daemon=True)
    t.start()
    t.join(seconds)
    return {} if t.is_alive() else box


@functools.lru_cache(maxsize=1)
def sotfit_fingerprint() -> dict:
    """This sotfit: its version, and the number and a SHA-256 of the ``.py`` files of the
    package (relative paths and contents, in sorted order). Computed once per process."""
    import hashlib
    from pathlib import Path

    import sotfit

    root = Path(sotfit.__file__).resolve().parent
    digest = hashlib.sha256()
    files = sorted(root.rglob("*.py"))
    for f in files:
        digest.update(f.relative_to(root).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    return {"version": getattr(sotfit, "__version__", "?"), "files": len(files),
            "sha256": digest.hexdigest()[:16]}


#: Run on each dask worker with ``eval`` (a builtin, unpickled without sotfit): its sotfit.
_WORKER_FINGERPRINT = "__import__('sotfit.parallel', fromlist=['_']).sotfit_fingerprint()"


def _fingerprint_text(fp: dict) -> str:
    return f"sotfit {fp['version']}, {fp['files']} .py files with SHA-256 {fp['sha256']}"


#: The words that begin the error of a task on a dask worker of another sotfit
#: (:func:`_run_checked`), by which this process tells it from the task's own errors.
DIFFERENT_SOTFIT = "this dask worker runs a different sotfit"

#: A task on a dask worker, run there with ``eval`` (a builtin: the task deserializes on a
#: worker of any sotfit, or of none) in the names ``expected``, ``payload`` and ``extra``.
_CHECKED_TASK = ("__import__('sotfit.parallel', fromlist=['_'])"
                 "._run_checked(expected, payload, *extra)")


def _checked_task(fn: Callable, args: tuple, extra: tuple = ()) -> tuple:
    """The arguments of ``executor.submit`` for ``fn(*extra, *args)`` on a dask worker, run
    only once the worker is found to run this sotfit (:func:`_run_checked`).

    ``fn`` and ``args`` travel pickled, as bytes unpickled by the task itself: a worker of
    another sotfit, one without :func:`_run_checked` or without a function of the call among
    them, fails that task (said in one line by :func:`_worker_failure`) instead of the
    message that brings it, which ended the worker's link to the scheduler and hung the
    command. ``extra`` (the future of scattered data) is left to dask."""
    import cloudpickle

    return eval, _CHECKED_TASK, {"expected": sotfit_fingerprint(),
                                 "payload": cloudpickle.dumps((fn, args)), "extra": extra}


def _run_checked(expected: dict, payload: bytes, *extra):
    """``fn(*extra, *args)`` of the pickled ``payload`` (``(fn, args)``) on a dask worker, once
    its sotfit is found to be ``expected`` (the fingerprint of the process that sent the task);
    a ``RuntimeError`` beginning with :data:`DIFFERENT_SOTFIT` otherwise.

    Workers are asked which sotfit they run when the command connects
    (:func:`_check_same_sotfit`); a worker that joins the cluster afterwards (a batch job that
    started late, a worker restarted in another environment) is not, and the results of a
    different sotfit hung the command ('Failed to deserialize') or came from other code. The
    check is made before the task, so no result of another sotfit is ever sent back.
    """
    import pickle

    theirs = sotfit_fingerprint()
    if theirs != expected:
        try:
            from distributed import get_worker

            worker = get_worker().address
        except (ImportError, ValueError):
            worker = "?"
        raise RuntimeError(f"{DIFFERENT_SOTFIT} ({worker}: {_fingerprint_text(theirs)}; the "
                           f"command: {_fingerprint_text(expected)})")
    fn, args = pickle.loads(payload)
    return fn(*extra, *args)


def _check_same_sotfit(client, address: str) -> None:
    """Refuse a cluster whose workers cannot import sotfit or run another sotfit than this
    process: a different sotfit hung the run (results that this process could not unpickle)
    or could compute with other code."""
    box = _call_within(lambda: client.run(eval, _WORKER_FINGERPRINT, on_error="return"),
                       CONNECT_TIMEOUT_S)
    mine = sotfit_fingerprint()
    for worker, theirs in box.get("value", {}).items():
        if isinstance(theirs, BaseException):
            raise ParallelError(f"the workers of the dask cluster at {address!r} cannot import "
                                f"sotfit, or run a different sotfit ({worker}: "
                                f"{type(theirs).__name__}: {str(theirs)[:200]}): "
                                f"{SAME_SOTFIT_HINT}")
        if theirs != mine:
            raise ParallelError(f"the workers of the dask cluster at {address!r} run a different "
                                f"sotfit ({worker}: {_fingerprint_text(theirs)}; here: "
                                f"{_fingerprint_text(mine)}): {SAME_SOTFIT_HINT}")
    if "error" in box or not box:
        what = f"{type(box['error']).__name__}: {box['error']}" if box else "no answer"
        raise ParallelError(f"the workers of the dask cluster at {address!r} could not say which "
                            f"sotfit they run ({what[:200]}): {SAME_SOTFIT_HINT}")


#: The protocols of a dask scheduler's address that reach another process.
PROTOCOLS = ("tcp", "tls", "ws", "wss", "ucx")


def _address_problem(address: str) -> str | None:
    """What makes ``address`` no ``PROTOCOL://HOST:PORT`` (the protocol may be left out, as
    dask allows), or None: a malformed address failed at once with "no dask scheduler answered
    ... within 20 s"."""
    if any(c.isspace() for c in address):
        return "a space in it"
    protocol, sep, rest = address.rpartition("://")
    if sep and protocol not in PROTOCOLS:
        return f"protocol {protocol!r}, not one of {', '.join(PROTOCOLS)}"
    host, colon, port = rest.rpartition(":")
    if not colon:
        return "no :PORT"
    if not host:
        return "no host"
    if port.endswith("/"):
        return "a '/' after the port"
    if not port.isdigit() or not 0 < int(port) < 65536:
        return f"port {port!r} is no number from 1 to 65535"
    return None


def _dask_client(address: str):
    try:
        from distributed import Client
    except ImportError as exc:
        raise ImportError(f"scheduler={address!r} needs dask.distributed, which is not installed: "
                          f"{DASK_HINT}") from exc
    problem = _address_problem(address)
    if problem is not None:
        raise ParallelError(f"{address!r} is not the address of a dask scheduler ({problem}): "
                            "give it as the scheduler prints it, tcp://HOST:PORT (e.g. "
                            "tcp://10.0.0.12:8786)")
    client = _connect(Client, address)
    try:
        if not client.scheduler_info().get("workers"):
            import sys

            sys.stderr.write(f"waiting for a worker to join the dask cluster at {address} (up "
                             f"to {WAIT_FOR_WORKERS_S:g} s)\n")
            client.wait_for_workers(1, timeout=WAIT_FOR_WORKERS_S)
    except Exception as exc:    # noqa: BLE001 - the wait timed out, or the scheduler went away
        client.close()
        raise ParallelError(f"no worker joined the dask cluster at {address!r} within "
                            f"{WAIT_FOR_WORKERS_S:g} s ({type(exc).__name__}): start workers "
                            "(dask worker ADDRESS, or the cluster's scale())") from None
    try:
        _check_same_sotfit(client, address)
    except BaseException:
        client.close()
        raise
    return client


@contextmanager
def _executor(workers: int, scheduler: str | None, initializer=None, initargs=()):
    """(executor, dask client or None); the executor is ``None`` for a serial run."""
    if scheduler is not None:
        if workers > 1:
            raise ValueError("give either workers (local processes) or scheduler (a dask cluster, "
                             "whose workers are its own), not both")
        if not isinstance(scheduler, str) or not scheduler:
            raise ValueError(f"scheduler must be the address of a dask scheduler, got {scheduler!r}")
        client = _dask_client(scheduler)
        try:
            yield client.get_executor(pure=False), client
        finally:
            client.close()
    elif workers == 1:
        yield None, None
    else:
        cores = usable_cores()
        if workers > cores:
            warnings.warn(f"{workers} worker processes on {cores} usable core(s): they take "
                          f"turns on the cores, each with its own start-up and memory, and the "
                          f"run is no faster than with {cores}", UserWarning, stacklevel=4)
        with _child_threads(max(1, (os.cpu_count() or 1) // workers)), cf.ProcessPoolExecutor(
                workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker, initargs=(initializer, initargs, os.getpid())) as pool:
            try:
                yield pool, None
            except BaseException:
                _stop_at_once(pool)
                raise


def _stop_at_once(pool: cf.ProcessPoolExecutor) -> None:
    """Cancel the queued tasks of ``pool`` and terminate its processes.

    Leaving the pool's ``with`` block waits for every running task (and those already sent to
    a process), whose results nobody wants once the run fails or is interrupted: Ctrl-C or
    SIGTERM during tasks of minutes took that long to end the command.
    """
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(5.0)


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system reports one, as
    under a batch scheduler's allocation; else the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


@contextmanager
def _child_threads(n: int):
    """Thread-count variables for processes started inside the block (spawned processes copy
    the environment); this process's own BLAS, already loaded, is not affected."""
    added = [v for v in THREAD_VARIABLES if v not in os.environ]
    for v in added:
        os.environ[v] = str(n)
    try:
        yield
    finally:
        for v in added:
            os.environ.pop(v, None)


def map_tasks(fn: Callable, items: Iterable, *, workers: int | None = None,
              scheduler: str | None = None, shared=_NOTHING,
              progress: Callable[[int, int], None] | None = None,
              on_result: Callable[[int, object], None] | None = None) -> list:
    """``[fn(item) for item in items]`` (or ``fn(shared, item)``), possibly in parallel.

    Parameters
    ----------
    fn : callable
        A module-level function (it is pickled for other processes).
    items : iterable
        One task per item; each item must be picklable.
    workers : int or None
        Local worker processes (None or 1: serial, in this process).
    scheduler : str or None
        Address of a running dask.distributed scheduler; needs the ``dask`` extra.
    shared : object, optional
        Read-only data passed as the first argument of every call, sent once per worker.
    progress : callable(done, total), optional
        Called after each finished task (e.g. :class:`sotfit.cli.common.Progress`).
    on_result : callable(index, result), optional
        Called in this process with each task's result as it arrives (in the order the
        tasks finish): work on the results that need not wait for all of them.

    Returns
    -------
    list
        The results in the order of ``items``.
    """
    items = list(items)
    total = len(items)
    has_shared = shared is not _NOTHING

    def tick(done):
        if progress is not None:
            progress(done, total)

    def arrived(i, result):
        if on_result is not None:
            on_result(i, result)
        return result

    n_workers = _check_workers(workers)
    if scheduler is None:
        n_workers = min(n_workers, max(total, 1))     # no processes started for a single task
    local = scheduler is None and n_workers > 1
    init = dict(initializer=_set_worker_state, initargs=(fn, shared)) if local and has_shared else {}
    with _executor(n_workers, scheduler, **init) as (ex, client):
        if ex is None:
            out = []
            for i, item in enumerate(items):
                out.append(arrived(i, fn(shared, item) if has_shared else fn(item)))
                tick(i + 1)
            return out
        futures = []
        out = [None] * total
        try:
            futures = _submit_all(ex, client, fn, items, shared, local)
            index = {f: i for i, f in enumerate(futures)}
            for done, f in enumerate(cf.as_completed(futures), start=1):
                out[index[f]] = arrived(index[f], f.result())
                tick(done)
        except BaseException as exc:
            for f in futures:
                f.cancel()
            failure = _worker_failure(exc, client is not None)
            if failure is not None:
                raise failure from None
            raise
        return out


def _submit_all(ex, client, fn, items: list, shared, local: bool) -> list:
    """The futures of ``fn`` over ``items`` on ``ex``: with ``shared`` (unless it is
    ``_NOTHING``) held by the local processes since their start, or scattered once to every
    worker of the dask ``client`` (which needs sotfit on the workers to unpickle it). On a
    dask cluster each task first checks that its worker runs this sotfit (:func:`_checked_task`)."""
    if local:
        if shared is _NOTHING:
            return [ex.submit(fn, item) for item in items]
        return [ex.submit(_call_with_worker_state, item) for item in items]
    # each task checks its worker's sotfit (workers may join after the check on connecting)
    if shared is _NOTHING:
        return [ex.submit(*_checked_task(fn, (item,))) for item in items]
    handle = client.scatter([shared], broadcast=True, hash=False)[0]
    return [ex.submit(*_checked_task(fn, (item,), (handle,))) for item in items]


#: What a worker says when it cannot load sotfit's objects (dask re-raises the worker's error
#: as a bare ``Exception`` carrying its text).
_IMPORT_FAILURES = ("ImportError", "ModuleNotFoundError", "No module named")

#: The remedy of workers that cannot load sotfit's objects.
SAME_SOTFIT_HINT = "install this sotfit on every worker (the same version, the same files)"


def _cannot_import(exc: BaseException) -> bool:
    """Whether ``exc`` (from a dask call) is a worker's failure to import sotfit's objects: its
    modules, or an object its sotfit does not have (data scattered to a worker of an older
    sotfit, "Can't get attribute 'X' on <module 'sotfit...'>")."""
    text = f"{type(exc).__name__}: {exc}"
    return isinstance(exc, ImportError) or any(w in text for w in _IMPORT_FAILURES) or (
        "Can't get attribute" in text and "<module 'sotfit" in text)


def _worker_failure(exc: BaseException, dask: bool) -> ParallelError | None:
    """The error to say for an exception of the executor rather than of a task: a local worker
    process that ended (killed, out of memory), a dask cluster that went away (CommClosedError,
    cancelled futures) or whose workers cannot load the task (sotfit not importable there);
    None for an exception the task raised (the task's own error, said as it is)."""
    if isinstance(exc, cf.process.BrokenProcessPool):
        return ParallelError(f"a worker process ended before its task was done (killed, or out "
                             f"of memory: {exc}); nothing of this run was kept")
    if not dask:
        return None
    module = type(exc).__module__ or ""
    text = f"{type(exc).__name__}: {exc}"
    if str(exc).startswith(DIFFERENT_SOTFIT) or "_run_checked" in text:
        # the second: a sotfit older than the check of each task
        detail = (str(exc)[len(DIFFERENT_SOTFIT):].strip(" ()") if str(exc).startswith(
            DIFFERENT_SOTFIT) else f"{text}: a sotfit older than this one")[:300]
        return ParallelError(f"a worker that joined the dask cluster after the check on "
                             f"connecting runs a different sotfit ({detail}): "
                             f"{SAME_SOTFIT_HINT}; nothing of this run was kept")
    if _cannot_import(exc):
        return ParallelError(f"the workers of the dask cluster cannot import sotfit, or run a "
                             f"different sotfit ({text[:200]}): {SAME_SOTFIT_HINT}; nothing of "
                             "this run was kept")
    if isinstance(exc, cf.CancelledError) or module.startswith(
            ("distributed", "tornado")) or "deserializ" in text.lower():
        return ParallelError(f"the dask cluster could not run the tasks ({text[:200]}): a "
                             "scheduler or worker that went away, or workers without sotfit "
                             "(install the same sotfit on every worker); nothing of this run "
                             "was kept")
    return None


def _apply_chunk(fn, chunk):
    return [fn(x) for x in chunk]


class TaskPool:
    """``map(fn, iterable)`` over one executor kept open for the whole ``with`` block.

    The executor is that of :func:`map_tasks` (none for ``workers`` None or 1, local
    processes started by ``spawn``, or a dask.distributed client's); it is opened on entry and
    closed on exit, so that a caller mapping many times (emcee's ``pool=``, which maps the
    walkers at every step) starts its processes once. ``map`` returns a list in the order of
    the iterable; the items are sent in :attr:`size` chunks (one task per chunk, not one per
    item), and ``fn`` must be picklable like the functions of :func:`map_tasks`.

    Examples
    --------
    >>> with TaskPool(workers=2) as pool:                       # doctest: +SKIP
    ...     sampler = emcee.EnsembleSampler(32, ndim, log_prob, pool=pool)
    ...     sampler.run_mcmc(p0, 1000)
    """

    def __init__(self, workers: int | None = None, scheduler: str | None = None):
        self.workers = _check_workers(workers)
        self.scheduler = scheduler
        self._stack = None
        self._ex = self._client = None

    def __enter__(self):
        from contextlib import ExitStack

        stack = ExitStack()
        try:
            self._ex, self._client = stack.enter_context(_executor(self.workers, self.scheduler))
        except BaseException:
            stack.close()
            raise
        self._stack = stack
        return self

    def __exit__(self, *exc):
        stack, self._stack = self._stack, None
        self._ex = self._client = None
        if stack is not None:
            return stack.__exit__(*exc)
        return False

    @property
    def size(self) -> int:
        """Tasks that can run at once: the local processes or the dask workers' threads."""
        if self._client is not None:
            return max(1, sum(self._client.nthreads().values()))
        return self.workers

    def map(self, fn: Callable, iterable: Iterable) -> list:
        """``[fn(x) for x in iterable]``, in chunks on the executor (in this process when the
        pool is serial or not entered)."""
        items = list(iterable)
        if self._ex is None or len(items) <= 1:
            return [fn(x) for x in items]
        n = min(self.size, len(items))
        bounds = [len(items) * k // n for k in range(n + 1)]
        if self._client is not None:    # each task checks its worker's sotfit
            futures = [self._ex.submit(*_checked_task(_apply_chunk, (fn, items[a:b])))
                       for a, b in zip(bounds[:-1], bounds[1:])]
        else:
            futures = [self._ex.submit(_apply_chunk, fn, items[a:b])
                       for a, b in zip(bounds[:-1], bounds[1:])]
        try:
            return [y for f in futures for y in f.result()]
        except BaseException as exc:
            for f in futures:
                f.cancel()
            failure = _worker_failure(exc, self._client is not None)
            if failure is not None:
                raise failure from None
            raise


def import_in_background(*modules: str) -> threading.Thread:
    """Import ``modules`` in a daemon thread and return it (join it before relying on it).

    A process that waits for its workers can spend the wait on the imports the rest of its run
    needs (the dispersion fits import lmfit, about a second). A module that fails to import is
    left alone here: the import that needs it raises as it would have.
    """
    def run():
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception:       # reported by the import that needs it
                pass

    thread = threading.Thread(target=run, name="sotfit-imports", daemon=True)
    thread.start()
    return thread

"""--workers and --scheduler of the theory maps, the MCMC and the Hall fits: the results are
those of the serial run, bit for bit."""

import csv

import numpy as np
import pytest

from sotfit.cli import main


@pytest.fixture(scope="module")
def dask_address():
    """The address of a local dask.distributed cluster of two processes (skipped without dask)."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def _run_cli(argv, out, *extra):
    assert main(argv + ["--out", str(out), "--no-figures", *extra]) == 0
    return out


def _same_tables(a, b, name):
    assert (a / name).read_bytes() == (b / name).read_bytes()


# ---- theory tmatrix ----

TMATRIX = ["theory", "tmatrix", "--sweep", "energy=4meV:8meV:5", "--sweep", "angle=10deg:170deg:4",
           "--n-phi", "32"]


def test_tmatrix_map_rows_over_workers():
    from sotfit.models.tmatrix.batch import efficiency_map

    kw = dict(exchange=0.005, alpha=0.017, u=1.8, radius=0.2, density=5e-4, n_phi=32, chunk=8)
    e, t = np.linspace(0.004, 0.008, 5), np.radians(np.linspace(10, 170, 4))
    serial = efficiency_map(e, t, **kw)
    seen = []
    par = efficiency_map(e, t, workers=2, progress=lambda d, n: seen.append((d, n)), **kw)
    for key in serial:
        np.testing.assert_array_equal(par[key], serial[key], err_msg=key)
    assert seen[-1] == (20, 20) and len(seen) == 3           # 2 rows (8 points) per batch


def test_tmatrix_cli_workers_and_scheduler(tmp_path, dask_address):
    serial = _run_cli(TMATRIX, tmp_path / "serial")
    par = _run_cli(TMATRIX, tmp_path / "par", "--workers", "2")
    dask = _run_cli(TMATRIX, tmp_path / "dask", "--scheduler", dask_address)
    _same_tables(serial, par, "efficiencies.csv")
    _same_tables(serial, dask, "efficiencies.csv")


def test_workers_and_scheduler_together_is_a_usage_error(tmp_path, capsys):
    rc = main(TMATRIX + ["--out", str(tmp_path / "o"), "--workers", "2", "--scheduler",
                         "tcp://127.0.0.1:1"])
    assert rc == 2 and "not both" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(TMATRIX + ["--out", str(tmp_path / "o"), "--workers", "0"])


# ---- theory interface ----

def test_barrier_map_in_row_tasks_equals_one_call(monkeypatch):
    from sotfit.cli import theory_interface as ti
    from sotfit.models.interface.barrier_tb import mixing_conductance_tb

    dt, J = np.linspace(0, 1, 7), np.linspace(0.05, 2, 5)
    whole = mixing_conductance_tb(-4.0, 1.0, 1.0 - dt[:, None], J[None, :], 0.0, None, order=33)
    monkeypatch.setattr(ti, "BARRIER_TASK_POINTS", 10)       # two rows per task, four tasks
    for workers in (None, 2):
        res = ti.barrier_map(-4.0, 1.0, dt, J, order=33, workers=workers)
        np.testing.assert_array_equal(res.g_mix, whole.g_mix)
        assert (res.g_sharvin, res.error_estimate, res.converged, res.order) == (
            whole.g_sharvin, whole.error_estimate, whole.converged, whole.order)


@pytest.mark.parametrize("argv", [
    ["theory", "interface", "--model", "barrier", "--map", "dt=0:1:6,J=0.05:2:5", "--order", "33"],
    ["theory", "interface", "--model", "delta", "--map", "u0=0:2:3,u_ex=0.1:3:3", "--n-theta", "8",
     "--n-phi", "8"],
], ids=["barrier", "delta"])
def test_interface_cli_workers_and_scheduler(tmp_path, argv, dask_address):
    serial = _run_cli(argv, tmp_path / "serial")
    _same_tables(serial, _run_cli(argv, tmp_path / "par", "--workers", "2"), "map.csv")
    _same_tables(serial, _run_cli(argv, tmp_path / "dask", "--scheduler", dask_address), "map.csv")


# ---- theory kp ----

KP = ["theory", "kp", "--model", "2deg", "--alpha-r", "0.01", "--j-ex", "52meV", "--tau", "0.5ps",
      "--sweep", "mu=-20meV:40meV:4", "--n-phi", "8", "--map", "j_ex=40meV:60meV:3",
      "--decompose", "3,2"]


def test_kp_cli_workers_and_scheduler(tmp_path, dask_address):
    serial = _run_cli(KP, tmp_path / "serial")
    for par in (_run_cli(KP, tmp_path / "par", "--workers", "2"),
                _run_cli(KP, tmp_path / "dask", "--scheduler", dask_address)):
        for name in ("spin_density.csv", "map.csv", "chis.csv"):
            _same_tables(serial, par, name)
    assert len(list(csv.DictReader(open(serial / "map.csv")))) == 12

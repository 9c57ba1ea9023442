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


# ---- MCMC (sotfit.bayes.sample, sotfit thickness --mcmc) ----

def _thickness_posterior(**kw):
    import warnings

    from sotfit.bayes import ConvergenceWarning, sample
    from test_bayes import MODELS, _synthetic               # the drift-diffusion posterior

    m1, m2 = MODELS["drift_diffusion_dl"], MODELS["drift_diffusion_fl"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return sample(list(_synthetic(np.random.default_rng(500))), [m1, m2],
                      shared=list(m1.param_names), fixed={"resistivity": 350.3},
                      init={"spin_hall_conductivity": 3.0, "spin_diffusion_length": 15.0,
                            "re_g_mix": 0.1, "im_g_mix": 0.1},
                      nwalkers=10, nsteps=40, seed=7, min_tau_multiple=0, burn=5, **kw)


def test_log_posterior_pickles():
    import pickle

    post = _thickness_posterior()
    from sotfit.bayes import build_log_posterior

    logp, _ = build_log_posterior(list(post.datasets), list(post.models), shared=list(
        post.models[0].param_names), fixed={"resistivity": 350.3}, lsq=post.lsq)
    again = pickle.loads(pickle.dumps(logp))
    th = post.chain[-1]
    np.testing.assert_array_equal(again(th), logp(th))


def test_seeded_chain_identical_over_workers_and_dask(dask_address):
    serial = _thickness_posterior()
    for kw in ({"workers": 2}, {"scheduler": dask_address}):
        par = _thickness_posterior(**kw)
        np.testing.assert_array_equal(par.chain, serial.chain)
        np.testing.assert_array_equal(par.log_prob, serial.log_prob)


def test_task_pool_keeps_its_processes_and_keeps_order():
    import os

    from sotfit.parallel import TaskPool

    with TaskPool(workers=2) as pool:
        assert pool.size == 2
        pids = {p for _ in range(5) for p in pool.map(_pid, range(4))}
        assert len(pids) <= 2 and os.getpid() not in pids     # the same two processes each call
        assert pool.map(abs, [-3, 1, -2, 5, -4]) == [3, 1, 2, 5, 4]
    with TaskPool() as pool:                                           # serial
        assert pool.size == 1 and pool.map(abs, [-1, 2]) == [1, 2]


def _pid(_):
    import os

    return os.getpid()


def test_thickness_cli_mcmc_workers(tmp_path):
    import warnings

    from pathlib import Path

    data = Path(__file__).resolve().parents[1] / "data" / "thickness_example"
    argv = ["thickness", str(data / "nife_bisb.csv"), "--joint", "--mcmc", "--walkers",
            "12", "--steps", "60", "--seed", "3"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        serial = _run_cli(argv, tmp_path / "serial")
        par = _run_cli(argv, tmp_path / "par", "--workers", "2")
    with np.load(serial / "chain.npz") as a, np.load(par / "chain.npz") as b:
        np.testing.assert_array_equal(a["chain"], b["chain"])


def test_thickness_workers_need_mcmc(tmp_path, capsys):
    from pathlib import Path

    data = Path(__file__).resolve().parents[1] / "data" / "thickness_example"
    assert main(["thickness", str(data / "nife_bisb.csv"), "--workers", "2",
                 "--out", str(tmp_path / "o")]) == 2
    assert "need --mcmc" in capsys.readouterr().err


# ---- sotfit hall --method macrospin --mcmc-steps ----

def _hall_args():
    from pathlib import Path

    ex = Path(__file__).resolve().parents[1] / "data" / "hall_example" / "pma"
    return ["hall", str(ex / "sweep_x_up.csv"), str(ex / "sweep_y_up.csv"), "--method", "macrospin",
            "--current", "1.5mA", "--current-is", "rms", "--lockin-output", "rms", "--r2w-channel",
            "X", "--gain-2w", "10", "--r-phe", "0.15Ohm", "--r-ahe", "1.2Ohm", "--hk", "0.6T",
            "--mcmc-steps", "12"]


def test_hall_macrospin_mcmc_workers(tmp_path):
    serial = _run_cli(_hall_args(), tmp_path / "serial")
    par = _run_cli(_hall_args(), tmp_path / "par", "--workers", "2")
    _same_tables(serial, par, "posterior.json")


def test_hall_workers_need_mcmc_steps(tmp_path, capsys):
    argv = [a for a in _hall_args() if a not in ("--mcmc-steps", "12")]
    assert main(argv + ["--workers", "2", "--out", str(tmp_path / "o")]) == 2
    assert "need --mcmc-steps" in capsys.readouterr().err


@pytest.mark.parametrize("option", [["--workers", "2"], ["--scheduler", "tcp://127.0.0.1:1"]])
def test_kp_workers_need_map_or_decompose(tmp_path, capsys, option):
    """Without --map or --decompose nothing goes to the workers: the options were accepted
    silently (an unreachable scheduler too), where thickness and hall refuse them."""
    argv = ["theory", "kp", "--model", "2deg", "--sweep", "mu=-20meV:80meV:3", "--no-figures"]
    assert main(argv + option + ["--out", str(tmp_path / "o")]) == 2
    assert "they need --map or --decompose" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()

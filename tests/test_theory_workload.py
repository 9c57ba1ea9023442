"""Theory commands refuse, before any computation, runs whose own estimate of time or memory is
far beyond what ends: options without an upper bound (``--sweep mu=0:1:100000000``,
``--order 10000000``) ran until stopped or until the memory ran out."""

import json

from sotfit.cli import main


def _refused(capsys, argv, tmp_path):
    rc = None
    try:
        rc = main(argv + ["--out", str(tmp_path / "out")])
    except SystemExit as exc:
        rc = exc.code
    assert rc == 2
    assert not (tmp_path / "out").exists()
    return capsys.readouterr().err


def test_kp_sweep_of_a_hundred_million_points_is_refused_naming_the_option(tmp_path, capsys):
    err = _refused(capsys, ["theory", "kp", "--model", "2deg", "--sweep", "mu=0:1:100000000"],
                   tmp_path)
    assert "--sweep 'mu=0:1:100000000'" in err and "at most 1000000" in err
    assert "several runs" in err


def test_kp_estimate_names_n_phi_and_the_limit(tmp_path, capsys):
    """1000 chemical potentials at T = 0 with 100 000 azimuths: days of contour searches."""
    err = _refused(capsys, ["theory", "kp", "--model", "2deg", "--sweep", "mu=0:1:1000",
                            "--n-phi", "100000"], tmp_path)
    assert "--n-phi 100000" in err and "would take at least" in err
    assert "at most about" in err and "chemical potentials" in err


def test_kp_map_estimate_points_to_workers(tmp_path, capsys):
    err = _refused(capsys, ["theory", "kp", "--model", "2deg", "--sweep", "mu=0:1:10000",
                            "--map", "j_ex=0:0.1:1000", "--workers", "2"], tmp_path)
    assert "--map j_ex" in err and "with 2 worker processes" in err and "--workers" in err


def test_kp_kubo_fine_thermal_grid_is_counted(tmp_path, capsys):
    """Kubo at k_B T > 0 evaluates a grid of step 0.4 k_B T: 0.01 K over 1 eV is 2.9 million
    chemical potentials behind a sweep of 100."""
    err = _refused(capsys, ["theory", "kp", "--model", "2deg", "--method", "kubo", "--eta",
                            "1meV", "--temperature", "0.01K", "--sweep", "mu=0:1:100"], tmp_path)
    assert "--temperature" in err and "fine grid" in err and "k_B T of at least" in err


def test_a_sweep_of_ordinary_size_is_not_refused(tmp_path):
    assert main(["theory", "kp", "--model", "2deg", "--sweep", "mu=0:0.02:2", "--n-phi", "8",
                 "--no-figures", "--out", str(tmp_path / "ok")]) == 0


def test_kp_rounding_in_the_gap_is_flagged_as_zero(tmp_path):
    """The Dirac model with the Fermi level in its gap has no Fermi contour: the sea part was
    3e-18 1/(V nm) of rounding (growing with --kmax), and the test for exact zeros let it pass
    without the flag that a sweep outside every band gets."""
    out = tmp_path / "gap"
    assert main(["theory", "kp", "--model", "dirac", "--delta", "50meV", "--sweep",
                 "mu=-5meV:5meV:2", "--no-figures", "--strict", "--out", str(out)]) == 3
    s = json.loads((out / "summary.json").read_text())
    assert "no Fermi contour crosses a band" in s["max_abs_tau_sea"]["flags"][0]


def test_kp_zero_by_symmetry_is_a_note_not_an_empty_band_flag(tmp_path):
    """Without Rashba coupling the 2DEG's S vanishes by symmetry with Fermi contours present:
    a result, noted, not 'no Fermi contour crosses a band'."""
    out = tmp_path / "sym"
    assert main(["theory", "kp", "--model", "2deg", "--alpha-r", "0eVnm", "--sweep",
                 "mu=0:0.1:2", "--temperature", "5meV", "--no-figures", "--strict",
                 "--out", str(out)]) == 0
    s = json.loads((out / "summary.json").read_text())
    assert "flags" not in s["max_abs_tau_surface"]
    assert "Fermi contours cross the bands" in s["max_abs_tau_surface"]["note"]


def test_interface_order_of_ten_million_is_refused_by_its_memory(tmp_path, capsys):
    """--order 1e7 held the k_par rules of 17 GB for one point."""
    err = _refused(capsys, ["theory", "interface", "--model", "barrier", "--map",
                            "dt=0.1,J=0.1", "--order", "10000000"], tmp_path)
    assert "--order 10000000" in err and "GiB" in err and "at most --order" in err


def test_interface_delta_nodes_and_map_points_are_bounded(tmp_path, capsys):
    err = _refused(capsys, ["theory", "interface", "--model", "delta", "--map", "u0=1,u_ex=1",
                            "--n-theta", "100000", "--n-phi", "100000"], tmp_path)
    assert "--n-theta 100000 --n-phi 100000" in err and "GiB" in err
    err = _refused(capsys, ["theory", "interface", "--model", "delta", "--map",
                            "u0=0:1:1000,u_ex=0:1:1000", "--n-theta", "1000", "--n-phi", "1000"],
                   tmp_path)
    assert "would take at least" in err and "--workers" in err
    err = _refused(capsys, ["theory", "interface", "--model", "delta", "--map",
                            "u0=0:1:3,u_ex=0:1:100000000"], tmp_path)
    assert "--map u_ex=0:1:100000000" in err and "at most 1000000" in err


def test_interface_barrier_tasks_shrink_to_fit_a_high_order(tmp_path):
    """A map at a high --order runs in tasks that fit the memory, with the numbers of one task:
    tasks of 1024 points at order 10000 would have held 17 GB."""
    from sotfit.cli.theory_interface import barrier_task_points
    from sotfit.models.interface import sweep

    assert barrier_task_points(50, 65) == 1024
    assert barrier_task_points(50, 10_000) == 252
    assert barrier_task_points(3000, 10_000) == 3000
    dt, J = [0.0, 0.5, 1.0], [0.05, 0.5]
    one = sweep.barrier_map(-4.0, 1.0, dt, J, order=65, task_points=1024)
    rows = sweep.barrier_map(-4.0, 1.0, dt, J, order=65, task_points=2)
    assert (one.g_mix == rows.g_mix).all()


def test_tmatrix_sweep_and_map_are_bounded(tmp_path, capsys):
    """'--sweep energy=0meV:20meV:100000000' ran until stopped; a map of 1e8 points would
    hold its table's rows in hundreds of GB."""
    err = _refused(capsys, ["theory", "tmatrix", "--sweep", "energy=0meV:20meV:100000000"],
                   tmp_path)
    assert "--sweep 'energy=0meV:20meV:100000000'" in err and "at most 1000000" in err
    err = _refused(capsys, ["theory", "tmatrix", "--sweep", "energy=6meV:20meV:100000",
                            "--sweep", "angle=1deg:179deg:1000"], tmp_path)
    assert "--sweep energy=...:100000 --sweep angle=...:1000" in err and "GiB" in err
    assert "at most about" in err


def test_a_cluster_is_not_counted_against_the_time_but_its_tasks_memory_is(tmp_path, capsys):
    """With --scheduler the cluster's size is unknown here: the parallel part of the estimate
    is not counted, the memory of one task still is."""
    import argparse

    from sotfit.cli.common import workers_of

    assert workers_of(argparse.Namespace(scheduler="tcp://host:8786", workers=None)) == float("inf")
    assert workers_of(argparse.Namespace(scheduler=None, workers=None)) == 1
    err = _refused(capsys, ["theory", "interface", "--model", "barrier", "--map", "dt=0.1,J=0.1",
                            "--order", "10000000", "--scheduler", "tcp://127.0.0.1:1"], tmp_path)
    assert "--order 10000000" in err and "GiB" in err

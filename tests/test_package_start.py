"""The start of ``import sotfit`` and of the ``sotfit`` command: the package loads its models when
they are first used, so an interruption while the command starts is answered by the command."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _python(code, cwd):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=120)


def test_import_loads_no_model_until_used(tmp_path):
    run = _python("import sys, sotfit as sf\n"
                  "print('sotfit.models' in sys.modules, 'scipy' in sys.modules)\n"
                  "print(sf.models.stfmr_mixing.name, 'sotfit.models' in sys.modules)\n"
                  "from sotfit import Dataset, fit, load, sample\n"
                  "print(sorted(set(sf.__all__) - set(dir(sf))))\n", tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split("\n")[:3] == ["False False", "stfmr_mixing True", "[]"]


def test_interrupt_while_the_command_imports_its_models(tmp_path):
    """Ctrl-C while ``python -m sotfit`` imports the models (simulated by an import hook that
    raises it there): one line and exit status 130, no traceback, nothing written."""
    code = (
        "import runpy, sys, importlib.abc\n"
        "class Stop(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name == 'sotfit.models':\n"
        "            raise KeyboardInterrupt\n"
        "sys.meta_path.insert(0, Stop())\n"
        "sys.argv = ['sotfit', 'stfmr', 'spectrum.csv', '--out', 'res']\n"
        "runpy.run_module('sotfit', run_name='__main__', alter_sys=True)\n")
    run = _python(code, tmp_path)
    assert run.returncode == 130
    assert "Traceback" not in run.stderr
    assert "interrupted; nothing was written" in run.stderr
    assert not (tmp_path / "res").exists()


def test_the_readers_are_reached_from_the_package_as_documented(tmp_path):
    """``import sotfit as sf`` then ``sf.io.read_stfmr(...)``, as docs/io.md writes it: it was
    "module 'sotfit' has no attribute 'io'" unless something had imported ``sotfit.io``
    before (the tests had, so theirs passed run together and failed run alone)."""
    run = _python("import sotfit as sf\n"
                  f"print(len(sf.io.read_stfmr({str(ROOT / 'data' / 'stfmr_example')!r})))\n",
                  tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "6"

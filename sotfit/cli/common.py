"""Helpers shared by the subcommands: quantities with units, sample files, output folders."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from ..units import UnitError, quantity

__all__ = ["CLIError", "quantity_type", "prepare_out_dir", "load_sample_file", "Progress",
           "write_json"]


class CLIError(Exception):
    """A user error on the command line, reported without a traceback."""


def quantity_type(dimension: str, default_unit: str | None = None):
    """An argparse ``type`` reading ``'6nm'``, ``'2.5mA'`` into house units of ``dimension``."""

    def parse(text: str) -> float:
        try:
            return quantity(text, dimension, default_unit)
        except UnitError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = f"{dimension} quantity"
    return parse


def prepare_out_dir(path, overwrite: bool) -> Path:
    """Create the output folder; an existing non-empty one needs ``overwrite``."""
    out = Path(path)
    if out.exists() and any(out.iterdir()):
        if not overwrite:
            raise CLIError(f"output folder {out} exists and is not empty; "
                           "choose another --out or pass --overwrite")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    return out


def load_sample_file(path) -> dict:
    """Read a TOML or JSON file of sample fields (values are numbers with units as strings)."""
    p = Path(path)
    if not p.is_file():
        raise CLIError(f"sample file {p} not found")
    text = p.read_text(encoding="utf-8")
    try:
        if p.suffix.lower() == ".json":
            return json.loads(text)
        import tomllib

        return tomllib.loads(text)
    except Exception as exc:  # noqa: BLE001 - any parse error becomes a user error
        raise CLIError(f"sample file {p}: cannot parse ({exc})") from None


def write_json(obj, path: Path) -> None:
    """Write ``obj`` as indented JSON (the caller has prepared the folder)."""
    path.write_text(json.dumps(obj, indent=2, default=float) + "\n", encoding="utf-8")


class Progress:
    """A minimal text progress bar on stderr, silent when stderr is not a terminal."""

    def __init__(self, label: str, stream=None, force: bool = False):
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = force or self.stream.isatty()

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 1:
            return
        width = 30
        n = int(width * done / total)
        self.stream.write(f"\r{self.label} [{'#' * n}{'.' * (width - n)}] {done}/{total}")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()

"""Shared fixtures for the end-to-end tests.

Every test session installs the kernelspec with the real `godl install`
(the binary in $GODL_BIN, default bin/godl) into a temporary
JUPYTER_DATA_DIR, so the tests use exactly what a user gets and leave the
user's own Jupyter setup (kernelspecs, godl history) alone.
"""
from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent

# `godl install` pre-warms the plugin build cache: about a minute on a fresh
# machine, seconds afterwards.
INSTALL_TIMEOUT = 900


def godl_bin() -> pathlib.Path:
    """The godl binary under test, as an absolute path."""
    p = pathlib.Path(os.environ.get("GODL_BIN", "bin/godl"))
    if not p.is_absolute():
        p = ROOT / p
    return p


def jupyter_command() -> str:
    """The `jupyter` command next to this Python, else on PATH. Missing is a
    failure, never a skip: these tests are how CI checks the kernel."""
    for cand in (pathlib.Path(sys.executable).parent / "jupyter", shutil.which("jupyter")):
        if cand and pathlib.Path(cand).exists():
            return str(cand)
    pytest.fail("the jupyter command is missing: run `make venv` (tests/requirements.txt)")


@pytest.fixture(scope="session", autouse=True)
def godl_kernelspec(tmp_path_factory) -> pathlib.Path:
    """Install the godl kernelspec into a fresh JUPYTER_DATA_DIR and return
    its directory. Autouse: the conformance suite (a unittest class) starts
    the kernel by name in setUpClass and needs the spec installed first."""
    binary = godl_bin()
    assert binary.is_file(), f"{binary} does not exist: run `make build` or set GODL_BIN"
    data_dir = tmp_path_factory.mktemp("jupyter-data")
    mp = pytest.MonkeyPatch()
    mp.setenv("JUPYTER_DATA_DIR", str(data_dir))
    mp.setenv("JUPYTER_RUNTIME_DIR", str(data_dir / "runtime"))
    res = subprocess.run(
        [str(binary), "install", "--user"],
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT,
    )
    assert res.returncode == 0, f"godl install failed:\n{res.stdout}\n{res.stderr}"
    spec_dir = data_dir / "kernels" / "godl"
    spec = json.loads((spec_dir / "kernel.json").read_text())
    assert spec["argv"][0] == str(binary), spec
    yield spec_dir
    mp.undo()


@pytest.fixture(scope="module")
def k(request, tmp_path_factory):
    """One godl kernel for the whole test module, its log in a temporary
    directory named after the module."""
    from faults_helpers import Kernel

    name = request.module.__name__.rpartition(".")[2].removeprefix("test_")
    kern = Kernel(tmp_path_factory.mktemp(name) / "kernel.log")
    try:
        yield kern
    finally:
        kern.shutdown()

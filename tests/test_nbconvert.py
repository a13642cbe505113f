"""Notebooks through real Jupyter tools with the installed kernelspec."""
from __future__ import annotations

import json
import subprocess

import nbformat

from conftest import godl_bin, jupyter_command

CELLS = [
    'x := 6 * 7\nfmt.Println("x is", x)',
    "x + 1",
    'display.Markdown("**bold**")',
    'fmt.Fprintln(os.Stderr, "to stderr")',
]


def test_kernelspec_list_shows_godl(godl_kernelspec):
    res = subprocess.run(
        [jupyter_command(), "kernelspec", "list", "--json"], capture_output=True, text=True, timeout=60
    )
    assert res.returncode == 0, res.stderr
    specs = json.loads(res.stdout)["kernelspecs"]
    assert "godl" in specs, specs.keys()
    godl = specs["godl"]
    assert godl["resource_dir"] == str(godl_kernelspec)
    spec = godl["spec"]
    assert spec["argv"] == [str(godl_bin()), "kernel", "{connection_file}"]
    assert spec["display_name"] == "Go (dl)"
    assert spec["language"] == "go"
    assert spec["interrupt_mode"] == "message"
    assert (godl_kernelspec / "logo-32x32.png").is_file()
    assert (godl_kernelspec / "logo-64x64.png").is_file()

    # The plain listing (what a person types) shows it too.
    res = subprocess.run([jupyter_command(), "kernelspec", "list"], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert any(line.split()[:1] == ["godl"] for line in res.stdout.splitlines()), res.stdout


def test_nbconvert_execute(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "godl", "display_name": "Go (dl)", "language": "go"}
    nb.cells = [nbformat.v4.new_code_cell(src) for src in CELLS]
    src = tmp_path / "small.ipynb"
    nbformat.write(nb, src)

    res = subprocess.run(
        [
            jupyter_command(),
            "nbconvert",
            "--to",
            "notebook",
            "--execute",
            "--ExecutePreprocessor.timeout=600",
            "--ExecutePreprocessor.startup_timeout=120",
            "--output",
            "executed.ipynb",
            str(src),
        ],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert res.returncode == 0, f"nbconvert failed:\n{res.stdout}\n{res.stderr}"

    out = nbformat.read(tmp_path / "executed.ipynb", as_version=4)
    assert out.metadata["language_info"]["name"] == "go"
    cells = out.cells
    assert [c.execution_count for c in cells] == [1, 2, 3, 4]

    def only(cell, output_type):
        outs = [o for o in cell.outputs if o.output_type == output_type]
        assert len(outs) == 1, cell.outputs
        return outs[0]

    stream = only(cells[0], "stream")
    assert stream.name == "stdout" and stream.text == "x is 42\n"

    result = only(cells[1], "execute_result")
    assert result.data["text/plain"] == "43"

    shown = only(cells[2], "display_data")
    assert "**bold**" in shown.data["text/markdown"]

    err = only(cells[3], "stream")
    assert err.name == "stderr" and "to stderr" in err.text

    assert not any(o.output_type == "error" for c in cells for o in c.outputs)

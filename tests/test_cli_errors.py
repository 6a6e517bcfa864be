"""Malformed invocations of the command line: one line on stderr, exit code 2, nothing written.

In-process through ``photosc.cli.main`` (fast); two subprocess checks cover start-up behaviour
(a bare ``photosc`` and a refused input that must not import the heavy libraries).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from photosc.cli import main
from photosc.cli._common import staged_output

GOOD_TOML = """name = "test"
[parameters]
omega_THz = 22.0
g = 0.6
nu = 0.6
dE_meV = 250.0
lam_eff = 0.3
"""


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Exit code and stderr of ``photosc argv``."""
    with pytest.raises(SystemExit) as exc:
        main(argv)
    return int(exc.value.code or 0), capsys.readouterr().err


def assert_one_line(err: str, *fragments: str) -> None:
    line = err.strip()
    assert line.count("\n") == 0 and line.startswith("photosc: error:"), err
    assert "Traceback" not in line and "array(" not in line
    for fragment in fragments:
        assert fragment in line, (fragment, line)


USAGE = [
    (["nosuch"], "No such command"),
    (["materials", "K3C60"], "unexpected extra argument"),
    (["trap"], "Missing argument"),
    (["trap", "K3C60", "--Z", "abc"], "--Z"),
    (["trap", "K3C60", "--foo"], "--foo"),
    (["trap", "K3C60", "--Z"], "--Z"),
    (["trap", "K3C60", "--n-points", "1e8"], "--n-points"),
]
BAD_VALUES = [
    (["landscape", "K3C60", "--T-K", "-5"], "--T-K -5"),
    (["trap", "K3C60", "--T-K", "0"], "--T-K must be > 0 K"),
    (["trap", "K3C60", "--n-points", "100000000"], "--n-points"),
    (["trap", "K3C60", "--T-K", "20:150:1e9"], "--T-K"),
    (["drive", "K3C60", "--duration-ps", "-1"], "--duration-ps -1"),
    (["drive", "K3C60", "--shape", "square"], "--shape"),
    (["drive", "K3C60", "--duration-ps", "1e9"], "memory"),
    (["drive", "K3C60", "--carrier-THz", "1e6"], "memory"),
    (["lifetime", "K3C60", "--relax-T-K", "0"], "--relax-T-K"),
    (["phase-diagram", "--Z-inv-max", "0.5"], "--Z-inv-max"),
    (["phase-diagram", "--Z-inv-max", "nan"], "--Z-inv-max"),
    (["phase-diagram", "--Z-inv-max", "1e9"], "--Z-inv-max"),
    (["phase-diagram", "--dE", "0.2:3:100000", "--nu", "0.3:5:100000"], "memory"),
    (["landscape", "K3C60", "--Z-inv", "0.5"], "--Z-inv"),
    (["report", "K3C60", "--Z", "3"], "--Z"),
    (["report", "K3C60", "--set", "dE_meV=abc"], "--set"),
]


@pytest.mark.parametrize(("argv", "message"), USAGE + BAD_VALUES)
def test_malformed_invocation_is_one_line_exit_2_and_writes_nothing(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    takes_out = argv[0] not in ("nosuch", "materials")
    code, err = run([*argv, "--out", str(out)] if takes_out else argv, capsys)
    assert code == 2
    assert_one_line(err, message)
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_bare_photosc_prints_help_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    main([])
    assert "Usage" in capsys.readouterr().out


def test_memory_limit_is_overridable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PHOTOSC_MAX_MEMORY", "1M")
    code, err = run(["landscape", "K3C60", "--T-K", "0:100:1000", "--out", str(tmp_path)], capsys)
    assert code == 2
    assert_one_line(err, "landscape needs about", "PHOTOSC_MAX_MEMORY", "1 MiB")
    monkeypatch.setenv("PHOTOSC_MAX_MEMORY", "lots")
    code, err = run(["landscape", "K3C60", "--out", str(tmp_path)], capsys)
    assert code == 2 and "PHOTOSC_MAX_MEMORY" in err


def test_out_that_is_a_file_or_under_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a_file = tmp_path / "file"
    a_file.write_text("x")
    for out, message in ((a_file, "is an existing file"), (a_file / "sub", "which is a file")):
        code, err = run(["trap", "K3C60", "--out", str(out)], capsys)
        assert code == 2
        assert_one_line(err, "--out", message)
    assert a_file.read_text() == "x"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_out_that_is_not_writable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    code, err = run(["trap", "K3C60", "--out", str(locked / "out")], capsys)
    assert code == 2
    assert_one_line(err, "permission denied")


@pytest.mark.parametrize(
    ("edit", "fragments"),
    [
        (lambda t: t.replace("omega_THz = 22.0", 'omega_THz = "22"'), ["omega_THz", "number"]),
        (lambda t: t.replace("omega_THz = 22.0", "omega_THz = 0"), ["omega_THz", "> 0"]),
        (lambda t: t.replace("nu = 0.6\n", ""), ["lacks nu"]),
        (lambda t: t + "colour = 1\n", ["unknown key 'colour'"]),
        (lambda t: t + "[lattic]\nx = 1\n", ["unknown table [lattic]"]),
        (lambda t: t.replace("g = 0.6", "g = = 0.6"), ["TOML syntax error"]),
        (lambda t: t.replace("lam_eff = 0.3", "lam_eff = 0.3\nTc_K = 20.0"), ["both lam_eff"]),
    ],
)
def test_bad_toml_names_the_file_and_the_key(
    edit: object, fragments: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "material.toml"
    path.write_text(edit(GOOD_TOML))  # type: ignore[operator]
    code, err = run(["trap", str(path), "--out", str(tmp_path / "out")], capsys)
    assert code == 2
    assert_one_line(err, str(path), *fragments)
    assert not (tmp_path / "out").exists()


def test_an_error_during_the_work_leaves_no_partial_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.nc").write_text("previous run")
    with pytest.raises(RuntimeError), staged_output(out) as stage:
        (stage / "new.nc").write_text("half")
        raise RuntimeError("boom")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert [p.name for p in out.iterdir()] == ["old.nc"]
    with staged_output(out) as stage:
        (stage / "old.nc").write_text("this run")
        (stage / "new.nc").write_text("this run")
    assert {p.name: p.read_text() for p in out.iterdir()} == {
        "old.nc": "this run",
        "new.nc": "this run",
    }


def _subprocess(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )


def test_bare_photosc_in_a_fresh_process() -> None:
    proc = _subprocess("from photosc.cli import main; main([])")
    assert proc.returncode == 0 and "Usage" in proc.stdout and proc.stderr == ""


def test_refused_input_does_not_import_the_heavy_libraries(tmp_path: Path) -> None:
    heavy = ("xarray", "matplotlib", "dask", "numba", "photosc.physics", "photosc.studies")
    proc = _subprocess(
        "import sys\nfrom photosc.cli import main\ntry:\n"
        f"    main(['drive', 'K3C60', '--duration-ps', '-1', '--out', {str(tmp_path)!r}])\n"
        "except SystemExit as e:\n"
        f"    print(e.code, [m for m in {heavy!r} if m in sys.modules])\n"
    )
    assert proc.stdout.split() == ["2", "[]"], proc.stdout + proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and "--duration-ps -1" in proc.stderr

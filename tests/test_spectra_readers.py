"""Readers of alpha^2 F files: each test writes a file in a code's layout (as its writing routine
formats it) from a known alpha^2 F, reads it back and checks Omega, alpha^2 F and lambda."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from photosc.physics import spectra
from photosc.physics.spectra_readers import UNIT_TO_MEV, detect, read_table

#: The known alpha^2 F: A Omega^2 exp(-Omega/W0) (Omega, W0 in meV); lambda = 2 A W0^2 exactly
#: (integral to infinity) and omega_log = W0 exp(1 - gamma_Euler).
A, W0 = 0.004, 5.0
LAM = 2 * A * W0**2
OMEGA_LOG = W0 * math.exp(1 - np.euler_gamma)
#: Grid: 0.05 meV steps to 40 W0 (the tail beyond carries e^-40). Trapezoid error ~ h^2 f''/12
#: relative ~ 1e-5, the printed digits (f12.7 etc.) 1e-7: 1e-3 relative tolerance is generous.
TOL = 1e-3


def a2f(w_meV: np.ndarray, scale: float = 1.0) -> np.ndarray:
    return scale * A * w_meV**2 * np.exp(-w_meV / W0)


def grid(start: float = 0.05, stop: float = 200.0, step: float = 0.05) -> np.ndarray:
    return np.arange(start, stop + step / 2, step)


def running_lambda(w: np.ndarray, y: np.ndarray) -> np.ndarray:
    """EPW's l_a2f: running sum of 2 a2f/w dw (rectangles)."""
    return np.cumsum(2 * y / w * (w[1] - w[0]))


def write_epw_a2f(path: Path, w: np.ndarray, cols: list[np.ndarray], cumulative: bool) -> Path:
    """EPW .a2f as evaluate_a2f_lambda (cumulative) or a2f_main (not) write it."""
    lines = []
    n = len(cols)
    if cumulative:
        lines.append(f" w[meV] a2f and integrated 2*a2f/w for {n:4d} smearing values")
    lams = [running_lambda(w, c) for c in cols]
    for i, wi in enumerate(w):
        row = [c[i] for c in cols] + ([lam[i] for lam in lams] if cumulative else [])
        lines.append(f"{wi:12.7f}" + "".join(f"{v:12.7f}" for v in row))
    lines.append(" Integrated el-ph coupling")
    lines.append("  #         " + "".join(f"{lam[-1]:12.7f}" for lam in lams))
    lines.append(" Phonon smearing (meV)")
    lines.append("  #         " + "".join(f"{0.2 * (k + 1):12.7f}" for k in range(n)))
    lines.append("Electron smearing (eV)   0.0500000")
    lines.append("Fermi window (eV)   0.4000000")
    lines.append("Summed el-ph coupling    0.9999999")
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("cumulative", [True, False])
def test_epw_a2f_both_layouts(tmp_path: Path, cumulative: bool) -> None:
    w = grid()
    path = write_epw_a2f(tmp_path / "pb.a2f", w, [a2f(w), a2f(w, 1.5), a2f(w, 2.0)], cumulative)
    assert detect(path, path.read_text()) == "epw_a2f"
    for k, scale in ((1, 1.0), (3, 2.0)):
        t = read_table(path, smearing=k)
        np.testing.assert_allclose(t.Omega_meV, w, rtol=1e-12)
        np.testing.assert_allclose(t.a2F, a2f(w, scale), atol=1e-7)
        assert t.lam == pytest.approx(scale * LAM, rel=TOL)
        assert t.lam_file == pytest.approx(scale * LAM, rel=TOL)
        assert t.omega_log_meV == pytest.approx(OMEGA_LOG, rel=TOL)
        assert f"smearing {k} of 3" in t.column
    # the spectrum in internal units: Omega / omega_meV, its coupling agrees
    s = spectra.read(path, omega_meV=10.0)
    np.testing.assert_allclose(s.Omega, w / 10.0)
    assert s.coupling() == pytest.approx(LAM, rel=TOL)


def test_epw_a2f_without_footer_uses_the_running_integral(tmp_path: Path) -> None:
    """Layout B without footer and header: 5 columns = 1 + 2N with N = 2 recognised from the
    cumulative columns, not taken as 1 + 4 smearings."""
    w = grid()
    path = write_epw_a2f(tmp_path / "x.a2f", w, [a2f(w), a2f(w, 3.0)], cumulative=True)
    body = [ln for ln in path.read_text().splitlines() if ln[:1] == " " and ln[1:2] != "w"]
    path.write_text("\n".join(ln for ln in body if ln.strip()[:1].isdigit()) + "\n")
    t = read_table(path, format="epw_a2f", smearing=2)
    assert t.lam == pytest.approx(3 * LAM, rel=TOL)
    assert "cumulative" in t.notes[0]


def test_epw_write_a2f_header_announcing_more_smearings(tmp_path: Path) -> None:
    """EPW's write_a2f prints 'for nqsmear smearing values' but one a2f and one lambda column:
    the data and the footer decide, the header disagreement is noted."""
    w = grid()
    path = write_epw_a2f(tmp_path / "v.a2f", w, [a2f(w)], cumulative=True)
    path.write_text(path.read_text().replace("for    1 smearing", "for   10 smearing"))
    t = read_table(path)
    assert t.lam == pytest.approx(LAM, rel=TOL)
    assert any("announces 10 smearings, the data hold 1" in n for n in t.notes)


def test_epw_footer_lambda_mismatch_warns(tmp_path: Path) -> None:
    w = grid()
    path = write_epw_a2f(tmp_path / "x.a2f", w, [a2f(w)], cumulative=False)
    text = path.read_text().replace(f"{running_lambda(w, a2f(w))[-1]:12.7f}", f"{0.9 * LAM:12.7f}")
    path.write_text(text)
    with pytest.warns(UserWarning, match="differs from the file's"):
        read_table(path)


def test_epw_a2f_iso_and_proj(tmp_path: Path) -> None:
    w = grid()
    iso = tmp_path / "pb.a2f_iso"
    iso.write_text(
        "w[meV] a2f\n" + "".join(f"{wi:12.7f}{v:12.7f}\n" for wi, v in zip(w, a2f(w), strict=True))
    )
    t = read_table(iso)
    assert t.format == "epw_a2f_iso" and t.lam == pytest.approx(LAM, rel=TOL)
    modes = [0.25 * a2f(w), 0.75 * a2f(w)]
    lam_int = running_lambda(w, a2f(w))[-1]
    proj = tmp_path / "pb.a2f_proj"
    rows = "".join(
        f"{wi:12.7f}{a:12.7f}{m1:12.7f}{m2:12.7f}\n"
        for wi, a, m1, m2 in zip(w, a2f(w), *modes, strict=True)
    )
    proj.write_text(
        "w[meV] a2f a2f_modeproj\n" + rows + f"lambda_int = {lam_int:18.7f}   lambda_sum = "
        f"{0.5:18.7f}\n"
    )
    t = read_table(proj)
    assert t.format == "epw_a2f_proj" and t.lam_file == pytest.approx(LAM, rel=TOL)
    np.testing.assert_allclose(t.a2F, a2f(w), atol=1e-7)


def test_qe_alpha2f_dat(tmp_path: Path) -> None:
    """lambda.x alpha2F.dat: E in THz from 0, one column per electronic smearing."""
    thz = UNIT_TO_MEV["THz"]
    E = np.arange(0, 2000) * (50.0 / thz) / 1999  # 0..50 meV in THz
    header = "# E(THz)" + "".join(f"{s:10.3f}" for s in (0.005, 0.010))
    rows = "".join(
        f"{e:8.4f}{a:10.5f}{b:10.5f}\n"
        for e, a, b in zip(E, a2f(E * thz, 1.0), a2f(E * thz, 2.0), strict=True)
    )
    path = tmp_path / "alpha2F.dat"
    path.write_text(header + "\n" + rows)
    t = read_table(path, smearing=2)
    assert t.format == "qe_alpha2f" and "degauss 0.01 Ry" in t.column
    # f8.4 rounds E to 5e-5 THz
    np.testing.assert_allclose(t.Omega_meV, E * thz, rtol=0, atol=5.01e-5 * thz)
    # the grid ends at 50 meV = 10 W0: int_0^10 t e^-t dt = 1 - 11 e^-10; the rounding of E and
    # of a2F (f10.5) stays well inside 1e-3 relative
    assert t.lam == pytest.approx(2 * LAM * (1 - 11 * math.exp(-10)), rel=TOL)


def fortran_records(first: str, values: list[str]) -> list[str]:
    """One Fortran record of format (first, 10(...)): 10 values on the first line, then format
    reversion starts a new line for each further 10 (Fortran 2018, 13.4 para 8)."""
    lines = [first + "".join(values[:10])]
    lines += ["".join(values[k : k + 10]) for k in range(10, len(values), 10)]
    return lines


def write_qe_alpha2f(path: Path, E_THz: np.ndarray, cols: list[np.ndarray]) -> Path:
    """alpha2F.dat as lambda.f90 writes it: formats 9020 and 9025, wrapped past 10 smearings."""
    sigmas = [0.005 * (k + 1) for k in range(len(cols))]
    lines = fortran_records("# E(THz)", [f"{v:10.3f}" for v in sigmas])
    for i, e in enumerate(E_THz):
        lines += fortran_records(f"{e:8.4f}", [f"{c[i]:10.5f}" for c in cols])
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("nsig", [10, 15, 20, 23])
def test_qe_alpha2f_dat_with_more_than_ten_smearings(tmp_path: Path, nsig: int) -> None:
    """Past 10 smearings each energy (and the header) wraps onto further lines; every column
    reads back, with its degauss from the wrapped header."""
    thz = UNIT_TO_MEV["THz"]
    E = np.arange(0, 1000) * (50.0 / thz) / 999
    cols = [a2f(E * thz, 1 + 0.1 * k) for k in range(nsig)]
    path = write_qe_alpha2f(tmp_path / "alpha2F.dat", E, cols)
    assert len(path.read_text().splitlines()) == (1 + len(E)) * (1 + -(-(nsig - 10) // 10))
    for j in sorted({1, min(11, nsig), nsig}):
        t = read_table(path, smearing=j)
        assert t.format == "qe_alpha2f"
        assert t.column == f"smearing {j} of {nsig} (degauss {0.005 * j:g} Ry)"
        np.testing.assert_allclose(t.Omega_meV, E * thz, rtol=0, atol=5.01e-5 * thz)
        np.testing.assert_allclose(t.a2F, cols[j - 1], rtol=0, atol=5.01e-6)  # f10.5
        # as in test_qe_alpha2f_dat: the grid ends at 10 W0
        scale = 1 + 0.1 * (j - 1)
        assert t.lam == pytest.approx(scale * LAM * (1 - 11 * math.exp(-10)), rel=TOL)


def test_qe_alpha2f_dat_cut_short_or_miscounted(tmp_path: Path) -> None:
    thz = UNIT_TO_MEV["THz"]
    E = np.arange(0, 50) * (50.0 / thz) / 49
    path = write_qe_alpha2f(tmp_path / "alpha2F.dat", E, [a2f(E * thz)] * 15)
    lines = path.read_text().splitlines()
    cut = tmp_path / "cut.dat"
    cut.write_text("\n".join(lines[:-1]) + "\n")  # the last energy lost its second line
    with pytest.raises(ValueError, match=rf"cut.dat, line {len(lines) - 1}: .*whole records"):
        read_table(cut)
    short = tmp_path / "short.dat"
    short.write_text("\n".join([*lines[:3], lines[3][:-10], *lines[4:]]) + "\n")
    with pytest.raises(ValueError, match=r"short.dat, line 3: ragged record \(lines 3-4\)"):
        read_table(short)


def fortran_e(v: float, letter: str = "E", digits: int = 10) -> str:
    """``v`` as Fortran's E(digits + 8).digits writes it: 0.ddd, then E+xx, or +xxx with no letter
    when the exponent exceeds 99; ``letter`` D for the D edit descriptor."""
    if v == 0:
        return f"{'0.' + '0' * digits + letter + '+00':>{digits + 8}}"
    mantissa, exponent = f"{abs(v):.{digits - 1}e}".split("e")
    e = int(exponent) + 1
    tail = f"{letter}{e:+03d}" if abs(e) <= 99 else f"{e:+04d}"
    return f"{'-' if v < 0 else ''}0.{mantissa.replace('.', '')}{tail}".rjust(digits + 8)


@pytest.mark.parametrize("letter", ["E", "D"])
def test_fortran_exponents_in_the_fortran_readers(tmp_path: Path, letter: str) -> None:
    """elk (G18.10), matdyn's a2F.dosN and abinit's _A2F written with Fortran's exponents: D
    (1.0D-03) and, for values below 1e-99 (an underflowing tail), no letter (0.1-120)."""
    ha, ry = UNIT_TO_MEV["Ha"], UNIT_TO_MEV["Ry"]
    w_meV = grid(0.05, 200.0, 0.05)
    y = a2f(w_meV)
    y[-3:] = [3e-120, 2e-150, 1e-200]  # tail values Fortran writes without the E

    def rows(*cols: np.ndarray) -> list[str]:
        return ["".join(fortran_e(v, letter) for v in r) for r in zip(*cols, strict=True)]

    assert rows(y[-1:])[0].strip() == "0.1000000000-199"
    elk = tmp_path / "ALPHA2F.OUT"
    elk.write_text("\n".join(rows(w_meV / ha, y)) + "\n")
    lam = 2 * float(np.trapezoid(y / w_meV, w_meV))
    dos = tmp_path / "a2F.dos1"
    dos.write_text(
        "\n".join(
            [
                " # Eliashberg function a2F (per both spin)",
                " #  frequencies in Rydberg  ",
                *rows(w_meV / ry, y, 0.25 * y, 0.75 * y),
                f"  lambda = {fortran_e(lam, letter)}   Delta = {fortran_e(0.05 / ry, letter)}",
            ]
        )
        + "\n"
    )
    abinit = write_abinit(tmp_path / "run_A2F", w_meV / ha, [y], lambda v: fortran_e(v, letter))
    for path, fmt in ((elk, "elk"), (dos, "qe_a2f_dos"), (abinit, "abinit")):
        t = read_table(path)
        assert t.format == fmt
        np.testing.assert_allclose(t.Omega_meV, w_meV, rtol=1e-9)
        np.testing.assert_allclose(t.a2F, y, rtol=1e-9, atol=0)  # 10 significant digits
        assert t.a2F[-1] == pytest.approx(1e-200, rel=1e-9)
        assert t.lam == pytest.approx(lam, rel=1e-9)
    assert read_table(dos).lam_file == pytest.approx(lam, rel=1e-9)


def test_qe_matdyn_a2f_dos(tmp_path: Path) -> None:
    """matdyn a2F.dosN: Rydberg, total then per mode, the closing 'lambda =' line is not data."""
    ry = UNIT_TO_MEV["Ry"]
    dE = 0.05 / ry
    E = (np.arange(4000) + 0.5) * dE  # midpoints, as a2Fdos writes them
    total = a2f(E * ry)
    parts = [0.5 * total, 0.3 * total, 0.2 * total]
    lam = float(np.sum(2 * total / E * dE))
    lines = [
        "",
        " # Eliashberg function a2F (per both spin)",
        " #  frequencies in Rydberg  ",
        " # DOS normalized to E in Rydberg: a2F_total, a2F(mode) ",
        "",
    ]
    lines += [
        "   " + "".join(f"{v:16.6E}" for v in (e, t, *p))
        for e, t, *p in zip(E, total, *parts, strict=True)
    ]
    lines.append(f"  lambda =   {lam:.10f}   Delta =   {dE:.10f}")
    path = tmp_path / "a2F.dos3"
    path.write_text("\n".join(lines) + "\n")
    t = read_table(path)
    assert t.format == "qe_a2f_dos" and t.lam_file == pytest.approx(lam)
    np.testing.assert_allclose(t.Omega_meV, E * ry, rtol=1e-5)
    assert t.lam == pytest.approx(LAM, rel=TOL)
    with pytest.raises(ValueError, match="smearing does not apply"):
        read_table(path, smearing=1)


def test_elk_alpha2f_out_drops_negative_omega_rows(tmp_path: Path) -> None:
    ha = UNIT_TO_MEV["Ha"]
    w = np.linspace(-2.0, 200.0, 4041) / ha  # elk's grid starts below the lowest phonon
    y = np.where(w > 0, a2f(w * ha), 0.0)
    path = tmp_path / "ALPHA2F.OUT"
    path.write_text("".join(f"{a:18.10G}{b:18.10G}\n" for a, b in zip(w, y, strict=True)))
    with pytest.warns(UserWarning, match="rows at Omega < 0 left out"):
        t = read_table(path)
    assert t.format == "elk" and t.Omega_meV[0] >= 0
    assert t.lam == pytest.approx(LAM, rel=TOL)
    assert t.omega_log_meV == pytest.approx(OMEGA_LOG, rel=TOL)


def write_abinit(
    path: Path,
    w_ha: np.ndarray,
    blocks: list[np.ndarray],
    number: Callable[[float], str] = lambda v: f"{v:.15E}",
) -> Path:
    lines = [
        "#",
        "# ABINIT package : a2f file",
        "#",
        "# a2f function integrated over the FS. omega in a.u.",
        f"#  number of kpoints integrated over : {1000:10d}",
        f"#  number of energy points : {w_ha.size:10d}",
        f"#  between omega_min = {w_ha[0]:16.6E} Ha and omega_max = {w_ha[-1]:16.6E} Ha",
        f"#  and the smearing width for gaussians is {1e-5:16.6E}",
    ]
    for s, y in enumerate(blocks, start=1):
        lines += [f"# The DOS at Fermi level for spin {s:4d} is {10.0:16.6E}", "#"]
        lines += [f"  {number(a)}  {number(b)}" for a, b in zip(w_ha, y, strict=True)]
        lines.append("")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_abinit_a2f_spin_blocks(tmp_path: Path) -> None:
    ha = UNIT_TO_MEV["Ha"]
    w = np.linspace(0.0, 200.0, 4001) / ha
    path = write_abinit(tmp_path / "run_A2F", w, [a2f(w * ha, 1.0), a2f(w * ha, 3.0)])
    assert read_table(path).lam == pytest.approx(2 * LAM, rel=TOL)  # spin average
    assert read_table(path, smearing=2).lam == pytest.approx(3 * LAM, rel=TOL)
    one = write_abinit(tmp_path / "one_A2F", w, [a2f(w * ha)])
    np.testing.assert_allclose(read_table(one).Omega_meV, w * ha, rtol=1e-14)


def test_generic_columns_need_a_unit(tmp_path: Path) -> None:
    w = grid(0.0, 200.0, 0.05)
    path = tmp_path / "a2f.csv"
    path.write_text("".join(f"{a},{b}\n" for a, b in zip(w, a2f(w), strict=True)))
    with pytest.raises(ValueError, match="cannot tell the format"):
        read_table(path)
    assert read_table(path, unit="meV").lam == pytest.approx(LAM, rel=TOL)
    cm = UNIT_TO_MEV["cm-1"]
    headed = tmp_path / "a2f.txt"
    headed.write_text(
        "# Omega [cm-1]  a2F\n" + "".join(f"{a / cm} {b}\n" for a, b in zip(w, a2f(w), strict=True))
    )
    assert read_table(headed, format="columns").lam == pytest.approx(LAM, rel=TOL)


# --- errors: the file, the line and the problem ------------------------------------------


def _two_columns(path: Path, rows: list[str]) -> Path:
    path.write_text("# Omega_meV a2F\n" + "\n".join(rows) + "\n")
    return path


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (["1 0.1", "2 -0.2", "3 0.1"], r"line 3: negative alpha\^2 F"),
        (["1 0.1", "1 0.2", "3 0.1"], "line 3: Omega must increase"),
        (["1 0.1", "2 0.2 0.3", "3 0.1"], "line 3: ragged row with 3 columns"),
        (["1 0.1", "oops", "3 0.1"], "line 3: text inside the data"),
        (["1 0.1", "2 x0.2", "3 0.1"], "line 3: not a number"),
        (["1 0.1", "2 nan", "3 0.1"], "line 3: non-finite value"),
        (["1 0.1 0.2", "2 0.2 0.1"], "expected 2 columns"),
    ],
)
def test_bad_tables_name_file_line_and_problem(
    tmp_path: Path, rows: list[str], message: str
) -> None:
    path = _two_columns(tmp_path / "bad.txt", rows)
    with pytest.raises(ValueError, match=message) as err:
        read_table(path, format="columns")
    assert "bad.txt" in str(err.value)


def test_column_counts_that_fit_no_layout(tmp_path: Path) -> None:
    w = grid()
    path = write_epw_a2f(tmp_path / "x.a2f", w, [a2f(w), a2f(w)], cumulative=False)
    text = path.read_text().replace(
        "Integrated el-ph coupling\n  #         ", "Integrated el-ph coupling\n  #         1.0 2.0 "
    )
    path.write_text(text)
    with pytest.raises(ValueError, match=r"3 columns fit no EPW \.a2f layout for 4 smearings"):
        read_table(path)
    dos = tmp_path / "a2F.dos1"
    dos.write_text(
        " # frequencies in Rydberg\n"
        + "".join(f"{e:16.6E}{1.0:16.6E}{0.3:16.6E}{0.3:16.6E}\n" for e in (0.1, 0.2, 0.3))
    )
    with pytest.raises(ValueError, match="mode columns sum to"):
        read_table(dos)
    two = write_epw_a2f(tmp_path / "y.a2f", w, [a2f(w), a2f(w)], True)
    with pytest.raises(ValueError, match=r"smearing must be in 1\.\.2"):
        read_table(two, smearing=3)


def test_unknown_format_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="format must be one of"):
        read_table(_two_columns(tmp_path / "a.txt", ["1 0.1", "2 0.1"]), format="vasp")
    with pytest.raises(ValueError, match="not found"):
        read_table(tmp_path / "missing.a2f")


def test_small_windows_and_weight_fraction() -> None:
    """A K3C60-like model spectrum: the widest window where alpha^2 F is small is its gap."""
    meV = 10.0
    model = spectra.k3c60(meV)
    Omega, y = spectra.sample(model)
    lo, hi = spectra.small_windows(Omega * meV, y, 0.05)[0]
    assert lo == pytest.approx(8.5, abs=1.6) and hi == pytest.approx(33.0, abs=0.2)
    assert model.weight_fraction(0.0, model.omega_max) == pytest.approx(1.0)
    assert model.weight_fraction(12.0 / meV, 30.0 / meV) < 0.05
    d = spectra.Debye(b=0.1, omega_D=2.0)
    # omega_log of b W^2 on [0, W_D]: W_D e^{-1/2}; the integrand W ln W is not smooth at 0, so
    # 32-node Gauss-Legendre on the single panel is good to ~5e-7 only
    assert d.omega_log() == pytest.approx(2.0 * math.exp(-0.5), rel=2e-6)

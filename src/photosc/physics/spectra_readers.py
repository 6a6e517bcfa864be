"""Readers of alpha^2 F(Omega) files written by electron-phonon codes (EPW, Quantum ESPRESSO,
elk, abinit) and of plain two-column tables.

Each reader returns an ``A2FTable``: Omega in meV, the chosen alpha^2 F column (dimensionless),
the coupling the file itself reports (where it has one) and notes on what was read. The layouts
follow the codes' writing routines, cited in each reader. Numbers are parsed with numpy from the
data block as a whole; the column count of the data decides the layout, and a header or footer
that disagrees with it is an error. Problems (negative alpha^2 F, non-increasing Omega, ragged
rows, a column count that fits no layout, text inside the data) raise ValueError naming the file,
the line and the problem. Rows at Omega < 0 (imaginary or smeared modes, which some codes write)
lie outside the support of alpha^2 F: they are left out with a warning that says how many and how
much weight they carry, and refused when that weight exceeds 1% of the total.

lambda = 2 int alpha^2 F(Omega)/Omega dOmega and omega_log = exp[(2/lambda) int alpha^2 F ln(Omega)
/Omega dOmega] are computed by the trapezoidal rule on the file's own grid with the integrand set
to 0 at Omega = 0 (as elk's ``alpha2f``, abinit's ``mka2f`` and QE's ``lambda.x`` do). Where the
file reports lambda, a relative difference above 1% is warned about.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import constants as _c

from photosc._checks import FloatArray

#: meV per unit of the frequency/energy units the codes write.
UNIT_TO_MEV: dict[str, float] = {
    "meV": 1.0,
    "eV": 1e3,
    "THz": _c.h * 1e12 / _c.e * 1e3,
    "cm-1": _c.h * _c.c * 100 / _c.e * 1e3,
    "K": _c.k / _c.e * 1e3,
    "Ry": _c.physical_constants["Rydberg constant times hc in eV"][0] * 1e3,
    "Ha": _c.physical_constants["Hartree energy in eV"][0] * 1e3,
}
#: Relative difference between the file's lambda and the recomputed one that triggers a warning.
LAMBDA_TOLERANCE = 0.01
#: Largest fraction of int |alpha^2 F| dOmega allowed at Omega < 0 before the file is refused.
NEGATIVE_OMEGA_WEIGHT = 0.01


@dataclass(frozen=True)
class A2FTable:
    """alpha^2 F read from a file.

    Omega_meV:  strictly increasing phonon energies >= 0, in meV.
    a2F:        alpha^2 F at Omega_meV (dimensionless, >= 0), the selected column.
    format:     reader used (a key of ``FORMATS``).
    column:     which column or block was taken (e.g. "smearing 1 of 3").
    lam_file:   the coupling written in the file for that column, or None.
    notes:      what else was found or left out.
    """

    path: str
    Omega_meV: FloatArray = field(repr=False)
    a2F: FloatArray = field(repr=False)
    format: str
    column: str
    lam_file: float | None = None
    notes: tuple[str, ...] = ()

    @property
    def lam(self) -> float:
        """lambda = 2 int alpha^2 F / Omega dOmega (trapezoidal, integrand 0 at Omega = 0)."""
        return 2.0 * _trapezoid_over_omega(self.Omega_meV, self.a2F)

    @property
    def omega_log_meV(self) -> float:
        """omega_log = exp[(2/lambda) int alpha^2 F ln(Omega) / Omega dOmega], in meV."""
        with np.errstate(divide="ignore"):
            log_w = np.where(self.Omega_meV > 0, np.log(self.Omega_meV), 0.0)
        return float(
            np.exp(2.0 * _trapezoid_over_omega(self.Omega_meV, self.a2F * log_w) / self.lam)
        )


def _trapezoid_over_omega(Omega: FloatArray, y: FloatArray) -> float:
    """int y(Omega)/Omega dOmega by the trapezoidal rule, integrand 0 at Omega = 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(Omega > 0, y / Omega, 0.0)
    return float(np.trapezoid(f, Omega))


# --- parsing ---------------------------------------------------------------------------------

_NUMERIC_START = re.compile(r"^\s*[-+.\d]")


@dataclass
class _Parsed:
    """The lines of a file split into header, data blocks (arrays with their first line number)
    and footer; a row of the data spans ``lines_per_row`` lines (Fortran's wrapped records)."""

    path: str
    header: list[str]
    blocks: list[tuple[int, FloatArray]]
    footer: list[str]
    lines_per_row: int = 1

    def line(self, first: int, row: int) -> int:
        """The file's line number of ``row`` (0-based) of the block starting at line ``first``."""
        return first + row * self.lines_per_row

    def fail(self, line: int | None, problem: str) -> ValueError:
        where = f"{self.path}, line {line}" if line is not None else self.path
        return ValueError(f"{where}: {problem}")


#: A Fortran real with a D exponent (1.0D-03) or with the E dropped, as Ew.d writes exponents
#: beyond 99 (0.1234-100); the mantissa group, then the exponent with its sign.
_FORTRAN_REAL = re.compile(
    r"(?<![\w.])(?:([-+]?(?:\d+\.?\d*|\.\d+))[dD]([-+]?\d+)"
    r"|([-+]?(?:\d+\.\d*|\.\d+))([-+]\d{3}))(?![\w.])"
)


def _fortran_reals(text: str) -> str:
    """``text`` with Fortran's other forms of a real number rewritten with an E exponent:
    1.0D-03 (the D edit descriptor, list-directed output of some compilers) -> 1.0E-03 and
    0.1234-100 (Ew.d drops the E for exponents beyond 99, Fortran 2018 13.7.2.3.3) ->
    0.1234E-100. Only whole tokens change; lines keep their numbers."""
    return _FORTRAN_REAL.sub(lambda m: f"{m[1]}E{m[2]}" if m[1] else f"{m[3]}E{m[4]}", text)


def _parse(
    path: str | Path, text: str, *, blocks: bool = False, skip: int = 0, lines_per_row: int = 1
) -> _Parsed:
    """Split ``text`` into header lines, numeric data and footer lines.

    Data lines start with a number; they form one contiguous block (or, with ``blocks``, several
    blocks separated by comment or blank lines). The first ``skip`` lines are header whatever
    they hold; with ``lines_per_row`` > 1 each row of data is that many consecutive lines.
    Every data row must have the same number of columns; ragged rows, incomplete records and
    unparsable numbers raise ValueError with the line number.
    """
    lines = text.splitlines()
    is_data = [i >= skip and bool(_NUMERIC_START.match(s)) for i, s in enumerate(lines)]
    starts: list[tuple[int, int]] = []  # (first, stop) of each run of data lines
    i = 0
    while i < len(lines):
        if is_data[i]:
            j = i
            while j < len(lines) and is_data[j]:
                j += 1
            starts.append((i, j))
            i = j
        else:
            i += 1
    name = str(path)
    if not starts:
        raise ValueError(f"{name}: no numeric data found")
    if len(starts) > 1 and not blocks:
        first_stop = starts[0][1]
        raise ValueError(
            f"{name}, line {first_stop + 1}: text inside the data ({lines[first_stop].strip()!r}"
            f"); the numbers resume at line {starts[1][0] + 1}"
        )
    arrays = []
    width = None
    n = lines_per_row
    for a, b in starts:
        if (b - a) % n:
            raise ValueError(
                f"{name}, line {b}: the data lines {a + 1}-{b} do not make whole records of "
                f"{n} lines each (the last one is cut short?)"
            )
        rows = lines[a:b] if n == 1 else [" ".join(lines[i : i + n]) for i in range(a, b, n)]
        numbers = _loadtxt(rows)
        if numbers is None:  # Fortran's D or E-less exponents? (rewriting all is slow: only now)
            rows = _fortran_reals("\n".join(rows)).split("\n")
            numbers = _loadtxt(rows)
        if numbers is None or (width is not None and numbers.shape[1] != width):
            raise _diagnose(name, rows, a + 1, n, width)
        width = numbers.shape[1]
        arrays.append((a + 1, numbers))
    return _Parsed(name, lines[: starts[0][0]], arrays, lines[starts[-1][1] :], n)


def _loadtxt(rows: list[str]) -> FloatArray | None:
    """The numbers of ``rows`` by numpy's C parser, or None where a row does not parse."""
    try:
        return np.loadtxt(rows, ndmin=2, comments=None)
    except ValueError:
        return None


def _diagnose(name: str, rows: list[str], first: int, n: int, width: int | None) -> ValueError:
    """The error for the first bad row of ``rows`` (ragged or not a number), row r being on the
    file's line ``first + r n``."""
    counts = [len(row.split()) for row in rows]
    expected = width if width is not None else Counter(counts).most_common(1)[0][0]
    for r, row in enumerate(rows):
        where = f"{name}, line {first + r * n}"
        if counts[r] != expected:
            what = "row" if n == 1 else f"record (lines {first + r * n}-{first + r * n + n - 1})"
            return ValueError(
                f"{where}: ragged {what} with {counts[r]} columns, expected {expected}"
            )
        try:
            [float(t) for t in row.split()]
        except ValueError:
            return ValueError(f"{where}: not a number in {row.strip()!r}")
    return ValueError(f"{name}, line {first}: unreadable data")


def _numbers(line: str) -> list[float]:
    """The numbers on a header/footer line (tokens that parse as floats, Fortran's forms too)."""
    out = []
    for token in _fortran_reals(line).replace("=", " ").split():
        try:
            out.append(float(token))
        except ValueError:
            continue
    return out


def _column(n_columns: int, smearing: int | None, what: str, parsed: _Parsed) -> int:
    """0-based index of the chosen column among ``n_columns`` (1-based ``smearing``, default 1)."""
    k = 1 if smearing is None else smearing
    if not 1 <= k <= n_columns:
        raise parsed.fail(None, f"smearing must be in 1..{n_columns} ({what}), got smearing={k}")
    return k - 1


def _finish(
    parsed: _Parsed,
    Omega: FloatArray,
    a2F: FloatArray,
    first_line: int,
    fmt: str,
    column: str,
    unit: str,
    lam_file: float | None = None,
    notes: tuple[str, ...] = (),
) -> A2FTable:
    """Validate (Omega, alpha^2 F), convert Omega to meV, drop Omega < 0 rows (with a warning),
    and compare the file's lambda with the recomputed one."""
    bad = np.flatnonzero(~(np.isfinite(Omega) & np.isfinite(a2F)))
    if bad.size:
        k = int(bad[0])
        raise parsed.fail(
            parsed.line(first_line, k),
            f"non-finite value (Omega, alpha^2 F) = ({Omega[k]}, {a2F[k]})",
        )
    negative = np.flatnonzero(a2F < 0)
    if negative.size:
        k = int(negative[0])
        raise parsed.fail(
            parsed.line(first_line, k),
            f"negative alpha^2 F = {a2F[k]:g} at Omega = {Omega[k]:g} {unit} "
            "(a smearing with negative weights?)",
        )
    steps = np.flatnonzero(np.diff(Omega) <= 0)
    if steps.size:
        k = int(steps[0]) + 1
        raise parsed.fail(
            parsed.line(first_line, k),
            f"Omega must increase, got {Omega[k]:g} after {Omega[k - 1]:g} {unit}",
        )
    below = Omega < 0
    if np.any(below):
        total = float(np.trapezoid(a2F, Omega))
        lost = float(np.trapezoid(np.where(below, a2F, 0.0), Omega))
        fraction = lost / total if total > 0 else 0.0
        if fraction > NEGATIVE_OMEGA_WEIGHT:
            raise parsed.fail(
                first_line,
                f"{fraction:.1%} of the alpha^2 F weight lies at Omega < 0 (imaginary modes?)",
            )
        note = (
            f"{int(below.sum())} rows at Omega < 0 left out (alpha^2 F vanishes there by "
            f"definition; they carried {fraction:.2e} of the weight)"
        )
        warnings.warn(f"{parsed.path}: {note}", stacklevel=3)
        notes = (*notes, note)
        Omega, a2F = Omega[~below], a2F[~below]
    if Omega.size < 2:
        raise parsed.fail(first_line, "fewer than 2 rows at Omega >= 0")
    table = A2FTable(
        parsed.path,
        Omega * UNIT_TO_MEV[unit],
        np.asarray(a2F, dtype=float),
        fmt,
        column,
        lam_file,
        notes,
    )
    if not table.lam > 0:
        raise parsed.fail(first_line, "alpha^2 F is zero everywhere at Omega > 0")
    if lam_file is not None and abs(table.lam - lam_file) > LAMBDA_TOLERANCE * abs(lam_file):
        warnings.warn(
            f"{parsed.path}: lambda from the table, {table.lam:.6g}, differs from the file's "
            f"{lam_file:.6g} by more than {LAMBDA_TOLERANCE:.0%} ({column})",
            stacklevel=3,
        )
    return table


# --- EPW --------------------------------------------------------------------------------------


def _epw_footer_values(parsed: _Parsed, title: str) -> list[float] | None:
    """Numbers on the line after the footer line containing ``title`` (EPW's '  #  ...' rows)."""
    for k, line in enumerate(parsed.footer[:-1]):
        if title in line:
            return _numbers(parsed.footer[k + 1])
    return None


def read_epw_a2f(parsed: _Parsed, smearing: int | None) -> A2FTable:
    """EPW ``prefix.a2f``: Omega in meV, then N phonon-smearing columns of alpha^2 F, optionally
    followed by N columns of the cumulative lambda(Omega); then a footer.

    Layouts, as written by EPW: ``evaluate_a2f_lambda`` (EPW/src/supercond.f90) and ``write_a2f``
    (EPW/src/supercond_vertex.f90) write the header " w[meV] a2f and integrated 2*a2f/w for N
    smearing values" and rows (w, a2f(1..N), l_a2f(1..N)); ``a2f_main`` (EPW/src/spectral.f90,
    files prefix.a2f.NN.T) and EPW 5's ``evaluate_a2f_lambda`` write rows (w, a2f(1..N)). The
    footer is "Integrated el-ph coupling" / "  # lambda(1..N)" / "Phonon smearing (meV)" /
    "  # sigma(1..N)" / "Electron smearing (eV) ..." / "Fermi window (eV) ..." / ["DOS (eV) ..."] /
    "Summed el-ph coupling ...". N is taken from the footer's lambda row, else from the data
    (1 + 2N columns whose second half is the running integral of the first, or 1 + N); the
    header's count is only compared (``write_a2f`` announces nqsmear but writes one smearing).
    ``smearing`` picks the column (1-based; default 1, the one EPW passes to its Eliashberg
    solver, a2f_iso = a2f(:, 1)); the footer's lambda of that column is compared.
    """
    ((first, data),) = parsed.blocks
    ncol = data.shape[1]
    lams = _epw_footer_values(parsed, "Integrated el-ph coupling")
    header_n = [int(v) for line in parsed.header for v in _numbers(line)]
    if lams:
        n = len(lams)
    elif ncol % 2 == 1 and ncol >= 3 and _is_running_integral(data):
        n = (ncol - 1) // 2
    else:
        n = ncol - 1
    if ncol == 1 + 2 * n:
        layout = "with cumulative lambda columns"
    elif ncol == 1 + n:
        layout = "alpha^2 F columns only"
    else:
        raise parsed.fail(
            first,
            f"{ncol} columns fit no EPW .a2f layout for {n} smearings (1 + {n} or 1 + {2 * n})",
        )
    j = _column(n, smearing, f"{n} phonon smearings", parsed)
    sigmas = _epw_footer_values(parsed, "Phonon smearing") or []
    lam_file = lams[j] if lams else (float(data[-1, 1 + n + j]) if ncol == 1 + 2 * n else None)
    label = f"smearing {j + 1} of {n}" + (f" ({sigmas[j]:g} meV)" if len(sigmas) == n else "")
    notes: tuple[str, ...] = (f"EPW .a2f {layout}",)
    if header_n and header_n[-1] != n:
        notes += (f"the header announces {header_n[-1]} smearings, the data hold {n}",)
    if lams:
        notes += ("footer lambda per smearing: " + ", ".join(f"{v:g}" for v in lams),)
    return _finish(
        parsed, data[:, 0], data[:, 1 + j], first, "epw_a2f", label, "meV", lam_file, notes
    )


def _is_running_integral(data: FloatArray) -> bool:
    """True if the second half of the columns after Omega is the running sum of 2 a2F/w dw."""
    n = (data.shape[1] - 1) // 2
    w, a2F, cum = data[:, 0], data[:, 1 : 1 + n], data[:, 1 + n :]
    if np.any(cum < 0) or np.any(np.diff(cum, axis=0) < -1e-6):
        return False
    dw = np.diff(w, prepend=0.0)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        running = np.cumsum(np.where(w[:, None] > 0, 2 * a2F / w[:, None] * dw, 0.0), axis=0)
    scale = max(float(np.max(np.abs(cum))), 1e-12)
    return bool(np.max(np.abs(running - cum)) < 0.05 * scale)


def read_epw_a2f_iso(parsed: _Parsed, smearing: int | None) -> A2FTable:
    """EPW ``prefix.a2f_iso``: the header "w[meV] a2f" and two columns, Omega (meV) and the
    isotropic alpha^2 F of the first phonon smearing, no footer (``evaluate_a2f_lambda`` in
    EPW 5's EPW/src/supercond.f90, a2f_iso(:) = a2f(:, 1)). ``smearing`` must be None or 1."""
    ((first, data),) = parsed.blocks
    if data.shape[1] != 2:
        raise parsed.fail(first, f"EPW .a2f_iso has 2 columns, got {data.shape[1]}")
    _column(1, smearing, "a2f_iso holds one column", parsed)
    return _finish(parsed, data[:, 0], data[:, 1], first, "epw_a2f_iso", "isotropic", "meV")


def _sum_of_parts(parsed: _Parsed, first: int, total: FloatArray, parts: FloatArray) -> None:
    """Refuse a table whose total column is not the sum of its per-mode columns."""
    scale = max(float(np.max(np.abs(total))), 1e-300)
    err = np.abs(parts.sum(axis=1) - total)
    k = int(np.argmax(err))
    # the codes print 6-7 significant digits per column: allow that rounding, summed
    if err[k] > 1e-5 * scale * (1 + parts.shape[1] / 10):
        raise parsed.fail(
            parsed.line(first, k),
            f"the mode columns sum to {parts[k].sum():g}, not the total {total[k]:g}: the "
            "column count does not fit the layout",
        )


def read_epw_a2f_proj(parsed: _Parsed, smearing: int | None) -> A2FTable:
    """EPW ``prefix.a2f_proj``: the header "w[meV] a2f a2f_modeproj", rows (w [meV], a2f of the
    first smearing, a2f per phonon mode 1..nmodes) and the footer "lambda_int = ... lambda_sum =
    ..." (``evaluate_a2f_lambda`` in EPW/src/supercond.f90, ``write_a2f`` in
    EPW/src/supercond_vertex.f90). The total column is used (checked against the mode sum);
    lambda_int is compared. ``smearing`` must be None or 1."""
    _column(1, smearing, "a2f_proj holds the first smearing only", parsed)
    return _total_with_modes(parsed, "epw_a2f_proj", "meV", "lambda_int")


def _total_with_modes(parsed: _Parsed, fmt: str, unit: str, lam_word: str) -> A2FTable:
    """Rows (Omega, total, mode 1..n): the total, checked against the modes' sum, and the
    lambda on the footer line containing ``lam_word``."""
    ((first, data),) = parsed.blocks
    if data.shape[1] < 3:
        raise parsed.fail(
            first, f"{fmt} has Omega, the total and >= 1 mode columns, got {data.shape[1]}"
        )
    _sum_of_parts(parsed, first, data[:, 1], data[:, 2:])
    lam_file = None
    for line in parsed.footer:
        if lam_word in line:
            lam_file = _numbers(line)[0]
    notes = (f"{data.shape[1] - 2} mode columns (sum checked)",)
    return _finish(parsed, data[:, 0], data[:, 1], first, fmt, "total", unit, lam_file, notes)


# --- Quantum ESPRESSO ------------------------------------------------------------------------


#: Values per record of formats 9020 and 9025 of lambda.f90 after their first item.
_QE_PER_LINE = 10
_QE_HEADER = re.compile(r"^#\s*E\(THz\)")


def _qe_alpha2f_records(lines: list[str]) -> dict[str, int]:
    """Where the header of ``alpha2F.dat`` ends and how many lines one energy takes.

    lambda.f90 writes the header with format 9020 ('# E(THz)',10(f10.3)) and each row with 9025
    (f8.4,10(f10.5)). With nsig > 10 smearings, Fortran's format reversion (Fortran 2018,
    13.4 para 8) starts a new record at the group 10(...) for the next 10 values: the header
    goes on over lines of numbers without '#', and each energy takes 1 + ceil((nsig - 10)/10)
    lines. A header line with 10 values followed by a line of <= 10 numbers is continued (a data
    line then holds 11), so the count is unambiguous."""
    top = next((i for i, s in enumerate(lines) if _QE_HEADER.match(s)), None)
    if top is None:
        return {"skip": 0, "lines_per_row": 1}
    count = len(_numbers(lines[top]))
    last, end = count, top + 1
    while (
        last == _QE_PER_LINE
        and end < len(lines)
        and _NUMERIC_START.match(lines[end])
        and len(lines[end].split()) <= _QE_PER_LINE
    ):
        last = len(_numbers(lines[end]))
        count += last
        end += 1
    extra = max(count - _QE_PER_LINE, 0)
    return {"skip": end, "lines_per_row": 1 + -(-extra // _QE_PER_LINE)}


def read_qe_alpha2f(parsed: _Parsed, smearing: int | None) -> A2FTable:
    """QE ``lambda.x`` ``alpha2F.dat``: the header "# E(THz)" followed by the electronic
    smearings (Ry), then rows (E [THz] from 0, alpha2F per smearing), formats 9020/9025 of
    PHonon/PH/lambda.f90; with more than 10 smearings the header and each row wrap onto further
    lines of 10 values (see ``_qe_alpha2f_records``). The header's smearing count must equal the
    data's; ``smearing`` picks the column (1-based, default 1: the smallest broadening of the
    usual el_ph_sigma ladder; lambda converges with the k mesh, check several). The file holds no
    lambda (lambda.dat does)."""
    ((first, data),) = parsed.blocks
    n = data.shape[1] - 1
    top = next((i for i, s in enumerate(parsed.header) if _QE_HEADER.match(s)), None)
    sigmas = [] if top is None else [v for s in parsed.header[top:] for v in _numbers(s)]
    if n < 1 or (sigmas and len(sigmas) != n):
        raise parsed.fail(
            first, f"{data.shape[1]} columns but the header lists {len(sigmas)} smearings"
        )
    j = _column(n, smearing, f"{n} electronic smearings", parsed)
    label = f"smearing {j + 1} of {n}" + (f" (degauss {sigmas[j]:g} Ry)" if sigmas else "")
    return _finish(parsed, data[:, 0], data[:, 1 + j], first, "qe_alpha2f", label, "THz")


def read_qe_a2f_dos(parsed: _Parsed, smearing: int | None) -> A2FTable:
    """QE ``matdyn.x`` ``a2F.dosN`` (one file per electronic smearing N): comment lines, rows
    (E [Ry], a2F total, a2F per mode) and the closing " lambda = ... Delta = ..." line, which is
    not data (subroutine a2Fdos in PHonon/PH/matdyn.f90). The total column is used, checked
    against the sum of the modes; the closing lambda is compared. ``smearing`` must be None (the
    smearing is the file's N)."""
    if smearing is not None:
        raise parsed.fail(None, "smearing does not apply to a2F.dosN (one smearing per file)")
    return _total_with_modes(parsed, "qe_a2f_dos", "Ry", "lambda")


# --- elk, abinit, generic -------------------------------------------------------------------


def read_elk(parsed: _Parsed, smearing: int | None) -> A2FTable:
    """elk ``ALPHA2F.OUT``: two columns '(2G18.10)', frequency (Hartree) and alpha^2 F, no header
    (subroutine alpha2f, elk src/alpha2f.f90). Rows at w < 0 (elk's grid starts below the lowest
    phonon) are left out as described in the module docstring. ``smearing`` must be None or 1."""
    ((first, data),) = parsed.blocks
    if data.shape[1] != 2:
        raise parsed.fail(first, f"ALPHA2F.OUT has 2 columns, got {data.shape[1]}")
    _column(1, smearing, "ALPHA2F.OUT holds one column", parsed)
    return _finish(parsed, data[:, 0], data[:, 1], first, "elk", "alpha^2 F", "Ha")


def read_abinit(parsed: _Parsed, smearing: int | None) -> A2FTable:
    """abinit anaddb ``<prefix>_A2F``: a '#' header ("# ABINIT package : a2f file", omega in a.u.
    = Hartree), then per spin a line "# The DOS at Fermi level for spin s is ...", "#", the rows
    (omega, a2f) and a blank line (subroutine mka2f, src/77_ddb/m_elphon.F90). With two spin
    blocks the default is their average, the spin-summed alpha^2 F of mka2f (lambda = sum_s
    (2/nsppol) int a2f_s/omega); ``smearing`` = s picks spin block s instead."""
    blocks = parsed.blocks
    if len(blocks) > 2:
        raise parsed.fail(blocks[2][0], f"{len(blocks)} data blocks, at most 2 spins expected")
    first, data = blocks[0]
    for line0, block in blocks:
        if block.shape[1] != 2:
            raise parsed.fail(line0, f"_A2F rows have 2 columns, got {block.shape[1]}")
        if block.shape[0] != data.shape[0] or not np.array_equal(block[:, 0], data[:, 0]):
            raise parsed.fail(line0, "spin blocks must share the frequency grid")
    if smearing is None:
        a2F = np.mean([b[:, 1] for _, b in blocks], axis=0)
        label = "average of the spin blocks" if len(blocks) == 2 else "spin 1 of 1"
    else:
        j = _column(len(blocks), smearing, f"{len(blocks)} spin blocks", parsed)
        first, data = blocks[j]
        a2F = data[:, 1]
        label = f"spin {j + 1} of {len(blocks)}"
    return _finish(parsed, data[:, 0], a2F, first, "abinit", label, "Ha")


def read_columns(parsed: _Parsed, smearing: int | None, unit: str | None) -> A2FTable:
    """Two columns, Omega and alpha^2 F, separated by spaces or commas; '#' lines are comments.
    The unit of Omega is ``unit`` (one of ``UNIT_TO_MEV``), or found in the first comment line
    as a bracketed or suffixed name ("Omega [THz]", "Omega_meV"). ``smearing`` must be None."""
    ((first, data),) = parsed.blocks
    if data.shape[1] != 2:
        raise parsed.fail(first, f"expected 2 columns (Omega, alpha^2 F), got {data.shape[1]}")
    if smearing is not None:
        raise parsed.fail(None, "smearing does not apply to a two-column table")
    unit = unit or _unit_from_header(parsed.header)
    if unit is None:
        raise parsed.fail(
            None, f"state the unit of Omega: unit= one of {sorted(UNIT_TO_MEV)} (or a header)"
        )
    return _finish(parsed, data[:, 0], data[:, 1], first, "columns", "alpha^2 F", unit)


def _unit_from_header(header: list[str]) -> str | None:
    for line in header:
        for name in sorted(UNIT_TO_MEV, key=len, reverse=True):
            u = re.escape(name)
            if re.search(rf"\[{u}\]|\({u}\)|_{u}(?![\w-])", line):
                return name
    return None


Reader = Callable[[_Parsed, int | None], A2FTable]

#: Format name -> (reader, whether the data may come in several blocks).
FORMATS: dict[str, tuple[Reader, bool]] = {
    "epw_a2f": (read_epw_a2f, False),
    "epw_a2f_iso": (read_epw_a2f_iso, False),
    "epw_a2f_proj": (read_epw_a2f_proj, False),
    "qe_alpha2f": (read_qe_alpha2f, False),
    "qe_a2f_dos": (read_qe_a2f_dos, False),
    "elk": (read_elk, False),
    "abinit": (read_abinit, True),
    "columns": (lambda p, s: read_columns(p, s, None), False),
}


def detect(path: str | Path, text: str) -> str | None:
    """The format of a file from its content (its name only for elk's ALPHA2F.OUT, which has no
    header; "columns" for a table whose first comment line names the unit of Omega), or None
    where that is ambiguous."""
    head = text[:4000]
    tail = text[-2000:]
    if "ABINIT package : a2f file" in head:
        return "abinit"
    if "Integrated el-ph coupling" in tail:
        return "epw_a2f"
    if "a2f_modeproj" in head or "lambda_int =" in tail:
        return "epw_a2f_proj"
    if re.search(r"^\s*w\[meV\]\s+a2f\s*$", head, re.M):
        return "epw_a2f_iso"
    if re.search(r"^#\s*E\(THz\)", head, re.M):
        return "qe_alpha2f"
    if "Eliashberg function a2F" in head or "frequencies in Rydberg" in head:
        return "qe_a2f_dos"
    if Path(path).name.upper() == "ALPHA2F.OUT":
        return "elk"
    comments = [ln for ln in head.splitlines()[:5] if ln.lstrip().startswith("#")]
    if comments and _unit_from_header(comments[:1]) is not None:
        return "columns"
    return None


def read_table(
    path: str | Path,
    format: str | None = None,
    smearing: int | None = None,
    unit: str | None = None,
) -> A2FTable:
    """Read an alpha^2 F file: ``format`` one of ``FORMATS`` (detected from the content when
    None and unambiguous), ``smearing`` the 1-based column/block where the format has several
    (see each reader for the default), ``unit`` the unit of Omega for format "columns"."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"spectrum file not found: {str(path)!r}")
    if format is not None and format not in FORMATS:
        raise ValueError(f"format must be one of {sorted(FORMATS)}, got format={format!r}")
    if unit is not None and unit not in UNIT_TO_MEV:
        raise ValueError(f"unit must be one of {sorted(UNIT_TO_MEV)}, got unit={unit!r}")
    if smearing is not None and (isinstance(smearing, bool) or not isinstance(smearing, int)):
        raise ValueError(f"smearing must be a positive integer, got smearing={smearing!r}")
    text = path.read_text()
    fmt = format or detect(path, text) or ("columns" if unit is not None else None)
    if fmt is None:
        raise ValueError(
            f"{path}: cannot tell the format from the content; give format= one of "
            f"{sorted(FORMATS)} (or unit= for a two-column table)"
        )
    reader, several = FORMATS[fmt]
    if fmt == "columns":
        return read_columns(_parse(path, text.replace(",", " ")), smearing, unit)
    layout = _qe_alpha2f_records(text.splitlines()) if fmt == "qe_alpha2f" else {}
    parsed = _parse(path, text, blocks=several, **layout)
    if unit is not None:
        raise ValueError(f"unit applies to format 'columns' only; {fmt} fixes its own unit")
    return reader(parsed, smearing)

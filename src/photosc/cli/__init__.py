"""Command line: ``photosc COMMAND MATERIAL [options]``. One module per subcommand; each module
imports only typer at import time, the physics inside the command (fast start-up).

Errors in the input print one line and exit with code 2; ``--traceback`` shows the full one.
"""

from __future__ import annotations

import importlib
import sys
from typing import NoReturn

import typer

try:  # typer >= 0.16 vendors click
    from typer._click.exceptions import UsageError
except ImportError:  # pragma: no cover - older typer uses click itself
    from click.exceptions import UsageError  # type: ignore[assignment]

#: command name -> module in photosc.cli exposing ``command``.
COMMANDS: dict[str, str] = {
    "report": "report",
    "sweep": "sweep",
    "materials": "materials",
    "landscape": "landscape",
    "phase-diagram": "phase_diagram",
    "trap": "trap",
    "lifetime": "lifetime",
    "drive": "drive",
    "nucleation": "nucleation",
    "kinetics": "kinetics",
}

app = typer.Typer(
    name="photosc",
    help="Long-lived photo-induced superconductivity (Chattopadhyay et al. 2023).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
for _name, _module in COMMANDS.items():
    app.command(_name)(importlib.import_module(f"photosc.cli.{_module}").command)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``photosc`` console script.

    Usage errors (unknown command or option, missing or malformed value) and bad input print one
    line on stderr and exit with code 2; a bare ``photosc`` prints the help and exits with 0.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    traceback = "--traceback" in args
    if traceback:
        args.remove("--traceback")
    if not args:
        args = ["--help"]
    try:
        code = app(args, prog_name="photosc", standalone_mode=False)
    except UsageError as exc:
        if traceback:
            raise
        command = exc.ctx.command_path if exc.ctx is not None else "photosc"
        _fail(f"{exc.format_message()} (see '{command} --help')")
    except (ValueError, RuntimeError, OSError) as exc:
        if traceback:
            raise
        _fail(str(exc))
    except typer.Abort:
        raise SystemExit(1) from None
    if isinstance(code, int) and code:
        raise SystemExit(code)


def _fail(message: str) -> NoReturn:
    """One line on stderr, exit code 2."""
    print(f"photosc: error: {' '.join(message.split())}", file=sys.stderr)
    raise SystemExit(2) from None

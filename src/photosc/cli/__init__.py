"""Command line: ``photosc COMMAND MATERIAL [options]``. One module per subcommand; each module
imports only typer at import time, the physics inside the command (fast start-up).

Errors in the input print one line and exit with code 2; ``--traceback`` shows the full one.
"""

from __future__ import annotations

import importlib
import sys

import typer

#: command name -> module in photosc.cli exposing ``command``.
COMMANDS: dict[str, str] = {
    "report": "report",
    "materials": "materials",
    "landscape": "landscape",
    "phase-diagram": "phase_diagram",
    "trap": "trap",
    "lifetime": "lifetime",
    "drive": "drive",
    "spectrum": "spectrum",
    "screen": "screen",
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
    """Entry point of the ``photosc`` console script."""
    args = list(sys.argv[1:] if argv is None else argv)
    traceback = "--traceback" in args
    if traceback:
        args.remove("--traceback")
    try:
        app(args, prog_name="photosc", standalone_mode=False)
    except (ValueError, RuntimeError, FileNotFoundError) as exc:
        if traceback:
            raise
        print(f"photosc: error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    except typer.Abort:
        raise SystemExit(1) from None

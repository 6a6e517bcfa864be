"""Command line: ``photosc COMMAND MATERIAL [options]``. One module per subcommand; each module
imports only typer at import time, the physics inside the command (fast start-up).

Errors in the input print one line and exit with code 2; ``--traceback`` shows the full one.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any, NoReturn

import typer
import typer.core
import typer.main
import typer.models

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
    "spectrum": "spectrum",
    "screen": "screen",
    "nucleation": "nucleation",
    "kinetics": "kinetics",
    "adiabaticity": "adiabaticity",
}


class _LazyGroup(typer.core.TyperGroup):
    """The command group, importing a command's module only when that command is looked up
    (when it runs, or for its line in ``--help``)."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        module = COMMANDS.get(cmd_name)
        if module is None:
            return None
        callback = importlib.import_module(f"photosc.cli.{module}").command
        return typer.main.get_command_from_info(
            typer.models.CommandInfo(name=cmd_name, callback=callback),
            pretty_exceptions_short=app.pretty_exceptions_short,
            rich_markup_mode=app.rich_markup_mode,
        )


app = typer.Typer(
    name="photosc",
    help="Long-lived photo-induced superconductivity (Chattopadhyay et al. 2023).",
    cls=_LazyGroup,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _group() -> None:
    """Long-lived photo-induced superconductivity (Chattopadhyay et al. 2023)."""


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

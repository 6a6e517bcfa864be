"""Command line: ``photosc COMMAND MATERIAL [options]``. One module per subcommand; each module
imports only typer at import time, the physics inside the command (fast start-up).

Errors in the input print one line and exit with code 2; ``--traceback`` shows the full one.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import typer
import typer.core
import typer.main
import typer.models

#: command name -> module in photosc.cli exposing ``command``.
COMMANDS: dict[str, str] = {
    "report": "report",
    "materials": "materials",
    "landscape": "landscape",
    "phase-diagram": "phase_diagram",
    "trap": "trap",
    "lifetime": "lifetime",
    "drive": "drive",
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

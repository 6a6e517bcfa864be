"""mkdocs hooks: run the tutorial scripts and make their pages (code, printed output, figures),
and generate the command-line page (every command's --help) and the API reference (every module).
Generated pages follow the package, so a new command or module appears without editing the docs.
"""

from __future__ import annotations

import ast
import importlib
import os
import pkgutil
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

TUTORIALS = Path(__file__).parent / "tutorials"


def _tutorial_page(script: Path, outdir: Path, config: Any, files: Files) -> None:
    run = subprocess.run(
        [sys.executable, str(script), str(outdir)],
        capture_output=True,
        text=True,
        env={**os.environ, "MPLBACKEND": "Agg"},
        check=False,
    )
    if run.returncode != 0:
        raise RuntimeError(f"tutorial {script.name} failed:\n{run.stderr}")
    doc = ast.get_docstring(ast.parse(script.read_text())) or script.stem
    title, _, rest = doc.partition("\n")
    images = []
    for png in sorted(outdir.glob("*.png")):
        uri = f"tutorials/img/{png.name}"
        files.append(File.generated(config, uri, content=png.read_bytes()))
        images.append(f"![{png.stem}](img/{png.name})")
        png.unlink()
    page = "\n\n".join(
        [
            f"# {title}",
            rest.strip(),
            f"The script `docs/tutorials/{script.name}`, run by the docs build:",
            f"```python\n{script.read_text().rstrip()}\n```",
            f"What it printed:\n\n```text\n{run.stdout.rstrip() or '(nothing)'}\n```",
            *images,
        ]
    )
    files.append(File.generated(config, f"tutorials/{script.stem}.md", content=page))


def _help(command: Any, name: str) -> str:
    """Plain-text --help of a typer command (its rich panels switched off)."""
    command.rich_markup_mode = None
    ctx = command.make_context(f"photosc {name}", [], resilient_parsing=True)
    return str(command.get_help(ctx))


def _cli_page() -> str:
    import typer.main

    from photosc.cli import COMMANDS, app

    group = typer.main.get_command(app)
    ctx = group.make_context("photosc", [], resilient_parsing=True)
    parts = [
        "# Command line",
        "`photosc COMMAND MATERIAL-or-TOML [options]`. Bad input prints one line and exits 2; "
        "`--traceback` shows the full error. Every command's `--help`:",
    ]
    for name in COMMANDS:
        command = group.get_command(ctx, name)  # type: ignore[attr-defined]
        parts.append(f"## photosc {name}\n\n```text\n{_help(command, name)}\n```")
    return "\n\n".join(parts)


def _api_page() -> str:
    import photosc

    names = sorted(
        m.name
        for m in pkgutil.walk_packages(photosc.__path__, "photosc.")
        if not m.name.rsplit(".", 1)[-1].startswith("_") and not m.name.startswith("photosc.cli")
    )
    parts = ["# API reference", "Every public module of photosc, from its docstrings."]
    for name in ["photosc", *names]:
        importlib.import_module(name)
        parts.append(f"::: {name}\n    options:\n      show_submodules: false")
    return "\n\n".join(parts)


def readme_section(word: str) -> str:
    """The README's section whose '## ' heading contains ``word`` (headings one level down), or
    '' if it has none."""
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    match = re.search(rf"^## [^\n]*{word}[^\n]*\n(.*?)(?=^## |\Z)", readme, re.S | re.M)
    return "" if match is None else re.sub(r"^(#+) ", r"#\1 ", match.group(1), flags=re.M)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    """The TOML page ends with the README's TOML section, the reference for every key."""
    if page.file.src_uri == "toml.md":
        section = readme_section("TOML")
        if section:
            return f"{markdown}\n\n## From the README\n\n{section}"
    return markdown


def on_files(files: Files, config: Any) -> Files:
    """Add the generated pages and the tutorials' figures to the site."""
    with tempfile.TemporaryDirectory() as tmp:
        for script in sorted(TUTORIALS.glob("*.py")):
            _tutorial_page(script, Path(tmp), config, files)
    files.append(File.generated(config, "cli.md", content=_cli_page()))
    files.append(File.generated(config, "api.md", content=_api_page()))
    return files

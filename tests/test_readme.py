"""The README's Python example runs as printed."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")


def test_readme_python_example_runs() -> None:
    text = (Path(__file__).parents[1] / "README.md").read_text()
    block = re.search(r"```python\n(.*?)```", text, re.S)
    assert block is not None
    namespace: dict[str, object] = {}
    exec(compile(block.group(1), "README.md", "exec"), namespace)
    assert namespace["cp"].kind == "I"  # type: ignore[attr-defined]  # K3C60 at 1/Z = 3.4

"""The Python examples in README.md and docs/*.md run, in order, one namespace per file.

A block is skipped only if its first line is ``# not run: <reason>`` (e.g. it needs AWS).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def _blocks(path: Path) -> list[str]:
    blocks = BLOCK.findall(path.read_text(encoding="utf-8"))
    return [b for b in blocks if not b.startswith("# not run")]


@pytest.mark.parametrize(
    "path", [p for p in DOCS if _blocks(p)], ids=lambda p: str(p.relative_to(ROOT))
)
def test_examples_run(path: Path) -> None:
    namespace: dict[str, object] = {"__name__": f"docs_{path.stem}"}
    for number, block in enumerate(_blocks(path), 1):
        code = compile(block, f"{path.name}[block {number}]", "exec")
        exec(code, namespace)

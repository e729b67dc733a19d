"""The domain imports no framework, database or template code, and reads no clock."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "app" / "domain"


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_only_the_standard_library_and_the_domain():
    modules = sorted(DOMAIN.glob("*.py"))
    assert len(modules) >= 15
    for path in modules:
        for name in imports_of(path):
            top = name.split(".")[0]
            allowed = top in sys.stdlib_module_names or name.startswith("app.domain")
            assert allowed or top == "mutmut", (path.name, name)  # mutmut's copy imports its trampoline


def test_no_clock_reads():
    for path in DOMAIN.glob("*.py"):
        text = path.read_text()
        for call in ("datetime.now", ".now(", "utcnow", "time.time(", "date.today", "perf_counter", "open("):
            assert call not in text, (path.name, call)

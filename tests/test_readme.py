"""The README stays true: its configuration table, its benchmark table (and `make bench`), the counts it quotes."""

import re
from pathlib import Path

from app.settings import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_every_setting_is_documented_in_the_readme():
    missing = [f"FOLLOWUP_{name.upper()}" for name in Settings.model_fields if f"`FOLLOWUP_{name.upper()}`" not in README]
    assert not missing, f"add these to README.md's configuration table: {missing}"


def test_the_readme_names_the_two_quick_start_commands():
    assert "make run" in README and "make test" in README


def test_every_benchmark_is_in_the_readme_table_and_in_make_bench():
    """`make bench` runs them all, says the README: its table, the Makefile's bench target
    and the runnable scripts in bench/ name the same benchmarks (a helper a benchmark
    starts, such as bench/serve_bare.py, is named in its row)."""
    root = Path(__file__).resolve().parents[1]
    rows = set(re.findall(r"^\| `(bench/\w+\.py)` \|", README, re.MULTILINE))
    makefile = (root / "Makefile").read_text()
    target = makefile[makefile.index("\nbench:"):].split("\n\n")[0]
    made = set(re.findall(r"\$\(BIN\)/python (bench/\w+\.py)", target))
    assert rows == made, f"README's table and `make bench` differ: {sorted(rows ^ made)}"
    runnable = {
        f"bench/{path.name}" for path in (root / "bench").glob("*.py") if '__name__ == "__main__"' in path.read_text()
    }
    unnamed = sorted(script for script in runnable if f"`{script}`" not in README)
    assert not unnamed, f"add these benchmarks to README.md's table and to `make bench`: {unnamed}"


def test_the_tests_table_counts_the_sandbox_payloads_there_are():
    from tests.messages.test_sandbox import INJECTIONS, RESOURCE_PAYLOADS

    claim = f"the tenant sandbox against {len(INJECTIONS)} injection and {len(RESOURCE_PAYLOADS)} resource payloads"
    assert claim in " ".join(README.split()), f"README.md's tests table should say: {claim}"

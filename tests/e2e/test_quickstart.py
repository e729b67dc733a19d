"""The README's quick start, run as a new user would: a copy of the repository,
`make run` (fresh venv, install, migrate, serve) and the curl walk-through."""

from __future__ import annotations

import email
import email.policy
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.live import free_port

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def walkthrough_script() -> str:
    readme = (ROOT / "README.md").read_text()
    marker = readme.index("<!-- walkthrough:")
    block = re.search(r"```sh\n(.*?)```", readme[marker:], re.S)
    assert block, "the README's walk-through block is missing"
    return block.group(1)


def copy_repository(target: Path) -> None:
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout.split(b"\0")
    for name in filter(None, files):
        source = ROOT / name.decode()
        if source.is_file():
            destination = target / name.decode()
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)


@pytest.mark.timeout(900)
def test_quick_start_as_a_new_user(tmp_path):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    repo = tmp_path / "followup"
    copy_repository(repo)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FOLLOWUP_", "VIRTUAL_ENV", "PYTHONPATH"))}
    log = open(tmp_path / "server.log", "wb")
    server = subprocess.Popen(
        ["make", "run", f"PORT={port}"], cwd=repo, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600
        while True:
            assert server.poll() is None, (tmp_path / "server.log").read_text()[-3000:]
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "make run did not serve within 10 minutes"
            time.sleep(0.5)
        startup = (tmp_path / "server.log").read_text()
        assert "followup tenants create" in startup, "an empty database should say how to create a tenant"

        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", walkthrough_script()],
            cwd=repo, env={**env, "BASE": base}, capture_output=True, text=True, timeout=120,
        )
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        assert '"candidate_name":"Alex Kim"' in done.stdout
        assert "Dana Lee" in done.stdout and '"kind":"send_thank_you"' in done.stdout
        assert '"type":"thank_you_sent"' in done.stdout
        eml = email.message_from_bytes((repo / "thank-you.eml").read_bytes(), policy=email.policy.default)
        assert eml["To"].addresses[0].addr_spec == "dana.lee@acme.example"
        assert eml["From"].addresses[0].display_name == "Alex Kim"
        assert "Data Engineer" in eml["Subject"]
        assert (repo / "followup.db").exists(), "the quick start stores into ./followup.db"
    finally:
        try:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(server.pid, signal.SIGKILL)
        log.close()

"""The package as the Docker image installs it (`pip install .`, not editable):
the migrations and templates travel inside it, and the command works."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.test_quickstart import copy_repository

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.mark.timeout(900)
def test_a_plain_install_migrates_and_creates_a_tenant(tmp_path):
    source = tmp_path / "src"
    copy_repository(source)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FOLLOWUP_", "VIRTUAL_ENV", "PYTHONPATH"))}
    install = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", str(source)], env=env, capture_output=True, text=True, timeout=800
    )
    assert install.returncode == 0, install.stderr[-3000:]
    workdir = tmp_path / "run"  # nowhere near the sources: only the installed package counts
    workdir.mkdir()
    env["FOLLOWUP_DATABASE_URL"] = f"sqlite:///{workdir}/data.db"
    followup = str(venv / "bin" / "followup")
    migrated = subprocess.run([followup, "migrate"], cwd=workdir, env=env, capture_output=True, text=True, timeout=120)
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    created = subprocess.run([followup, "tenants", "create", "acme"], cwd=workdir, env=env, capture_output=True, text=True, timeout=120)
    assert created.returncode == 0, created.stderr[-3000:]
    assert created.stdout.strip().startswith("fu_") and len(created.stdout.strip().splitlines()) == 1
    rendered = subprocess.run(
        [str(venv / "bin" / "python"), "-c",
         "from app.messages.environment import builtin_template; print(builtin_template('de', 'thank_you', 'txt').name)"],
        cwd=workdir, env=env, capture_output=True, text=True, timeout=60,
    )
    assert rendered.returncode == 0 and "de/thank_you.txt" in rendered.stdout, rendered.stderr[-2000:]
    assert not Path(workdir / "app").exists()

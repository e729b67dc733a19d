"""Real server processes for end-to-end tests: `followup serve` on 127.0.0.1.

`live_server(...)` starts the real command on a free loopback port, waits
until /healthz answers, and always stops the whole process group on exit.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def followup_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "app.cli", *args]


def cli_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOLLOWUP_")}
    env.update({"FOLLOWUP_DATABASE_URL": database_url, "PYTHONPATH": str(ROOT), **extra})
    return env


def run_cli(database_url: str, *args: str, **extra_env: str) -> str:
    """Run `followup ARGS` and return its stdout (raises on a non-zero exit)."""
    done = subprocess.run(
        followup_command(*args), env=cli_env(database_url, **extra_env), capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"followup {' '.join(args)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return done.stdout


def create_tenant_key(database_url: str, name: str) -> str:
    return run_cli(database_url, "tenants", "create", name).strip()


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen
    database_url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@contextmanager
def live_server(
    database_url: str, *, workers: int = 1, log_dir: Path, startup_timeout: float = 60.0, **extra_env: str
) -> Iterator[LiveServer]:
    port = free_port()
    log_path = log_dir / f"server-{port}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            followup_command("serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers), "--log-level", "warning"),
            env=cli_env(database_url, **extra_env),
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=log_dir,
            start_new_session=True,
        )
    server = LiveServer(f"http://127.0.0.1:{port}", process, database_url, log_path)
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited early ({process.returncode}):\n{server.log()[-4000:]}")
            try:
                if httpx.get(server.url + "/healthz", timeout=1.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server did not start in {startup_timeout}s:\n{server.log()[-4000:]}")
            time.sleep(0.1)
        yield server
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=5)

"""The benchmarks' own harness: `--help` only prints, and a stopped benchmark stops its servers.

Found when `bench/actions_route.py --help` started the whole benchmark and `timeout`
(SIGTERM) ended it: the uvicorn servers it had started, each in a session of its own,
kept running on a machine the benchmarks share.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUNNABLE = sorted(p.name for p in (ROOT / "bench").glob("*.py") if '__name__ == "__main__"' in p.read_text())


@pytest.mark.parametrize("script", RUNNABLE)
def test_help_prints_the_usage_and_runs_nothing(script):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        done = subprocess.run([sys.executable, f"bench/{script}", "--help"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=30)  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.fail(f"bench/{script} --help ran for 30 s: it started the benchmark")
    assert done.returncode == 0 and done.stdout.startswith("usage:"), done.stdout[-500:] + done.stderr[-2000:]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie is gone for our purpose
        return stat.read().split(")")[-1].split()[0] != "Z"


@pytest.mark.e2e
def test_a_benchmark_ended_by_sigterm_stops_the_servers_it_started(tmp_path):
    pid_file = tmp_path / "server.pid"
    script = textwrap.dedent(f"""
        import os, subprocess, sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from bench import httpbench
        started = []
        real_popen = subprocess.Popen
        def recording_popen(*args, **kwargs):
            process = real_popen(*args, **kwargs)
            started.append(process.pid)
            return process
        httpbench.subprocess.Popen = recording_popen
        with httpbench.server(httpbench.uvicorn_command("bench.bare_app:app"), health="/bare"):
            with open({str(pid_file)!r}, "w") as handle:
                handle.write(str(started[0]))
            time.sleep(120)
    """)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    bench = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 60
        while not pid_file.exists() or not pid_file.read_text():
            assert bench.poll() is None and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)
        server_pid = int(pid_file.read_text())
        assert _alive(server_pid)
        bench.send_signal(signal.SIGTERM)  # what `timeout` and a CI job's cancel send
        bench.wait(timeout=30)
        deadline = time.monotonic() + 15
        while _alive(server_pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = _alive(server_pid)
        if left:
            os.killpg(server_pid, signal.SIGKILL)
        assert not left, "the benchmark's server outlived it"
    finally:
        if bench.poll() is None:
            bench.kill()

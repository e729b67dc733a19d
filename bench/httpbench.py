"""Shared pieces of the HTTP benchmarks: server processes and wrk runs.

Servers run the same uvicorn settings as `followup serve` (asyncio loop,
httptools with TCP_NODELAY) on 127.0.0.1, one worker each, and are always
stopped. wrk (Debian's package) drives them; a Lua script rotates through
many request paths so no single cached case is measured.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("installing wrk (Debian package) ...", flush=True)
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, capture_output=True)
    found = shutil.which("wrk")
    if not found:
        subprocess.run(["apt-get", "update", "-q"], check=False, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, capture_output=True)
        found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is needed: apt-get install wrk")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _exit_on_sigterm(signum, frame) -> None:
    raise SystemExit(128 + signum)


@contextmanager
def server(command: Sequence[str], *, env: dict[str, str] | None = None, health: str = "/healthz") -> Iterator[str]:
    """A server process in a session of its own (so a Ctrl-C to the benchmark reaches wrk, not
    it), stopped on leaving. SIGTERM (`timeout`, a cancelled CI job) ends the benchmark through
    the same exit: by default it killed the benchmark without one, and the server ran on."""
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
    port = free_port()
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    process = subprocess.Popen(
        [*command, "--port", str(port)],
        env=full_env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited: {process.stderr.read().decode()[-3000:]}")
            try:
                if httpx.get(url + health, timeout=1).status_code < 500:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.1)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def uvicorn_command(app: str, *, factory: bool = False) -> list[str]:
    command = [
        sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--loop", "asyncio",
        "--http", "app.server:NoDelayHttpToolsProtocol", "--log-level", "warning", "--no-access-log",
    ]
    return [*command, "--factory"] if factory else command


@dataclass
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    non_2xx: int


_LUA = """
paths = {%s}
headers_auth = %s
counter = 0
request = function()
  counter = counter + 1
  local path = paths[(counter %% #paths) + 1]
  if headers_auth ~= "" then wrk.headers["Authorization"] = headers_auth end
  return wrk.format("GET", path)
end
"""


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(url: str, paths: Sequence[str], *, auth: str = "", seconds: int = 5, connections: int = 16, threads: int = 1) -> WrkResult:
    wrk = ensure_wrk()
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_LUA % (", ".join(f'"{p}"' for p in paths), f'"{auth}"'))
    try:
        out = subprocess.run(
            [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script.name, url],
            capture_output=True, text=True, timeout=seconds + 30, check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return WrkResult(
        requests_per_second=rps,
        p50_ms=_ms(*p50.groups()),
        p99_ms=_ms(*p99.groups()),
        errors=sum(int(g) for g in errors.groups()) if errors else 0,
        non_2xx=int(non2xx.group(1)) if non2xx else 0,
    )


def compare_with_bare(*, label: str, database_url: str, paths: Sequence[str], auth: str, target_ratio: float,
                      rounds: int = 3, seconds: int = 4, connections: int = 16) -> bool:
    """Interleave wrk runs of the bare app and of `followup`'s app (one worker each).

    Prints every round and the median ratio; returns whether it meets the target.
    """
    import statistics

    env = {"FOLLOWUP_DATABASE_URL": database_url, "FOLLOWUP_RUN_JOBS": "false"}
    ratios = []
    with server(uvicorn_command("bench.bare_app:app"), health="/bare") as bare_url, server(
        uvicorn_command("app.server:app_factory", factory=True), env=env
    ) as app_url:
        run_wrk(bare_url, ["/bare"], seconds=1, connections=connections)  # warm-up
        run_wrk(app_url, paths, auth=auth, seconds=1, connections=connections)
        for round_ in range(rounds):
            bare = run_wrk(bare_url, ["/bare"], seconds=seconds, connections=connections)
            app = run_wrk(app_url, paths, auth=auth, seconds=seconds, connections=connections)
            if app.errors or app.non_2xx:
                print(f"round {round_ + 1}: {app.errors} socket errors, {app.non_2xx} non-2xx answers")
                return False
            ratios.append(app.requests_per_second / bare.requests_per_second)
            print(
                f"round {round_ + 1}: bare {bare.requests_per_second:8.0f} req/s (p50 {bare.p50_ms:.2f} ms) | "
                f"{label} {app.requests_per_second:8.0f} req/s (p50 {app.p50_ms:.2f} ms, p99 {app.p99_ms:.2f} ms) | "
                f"ratio {ratios[-1]:.2f}"
            )
    ratio = statistics.median(ratios)
    ok = ratio >= target_ratio
    print(
        f"{label}: {len(paths)} distinct paths, wrk -c{connections}, 1 uvicorn worker each: "
        f"median ratio {ratio:.2f} of bare FastAPI (target >= {target_ratio}) -> {'PASS' if ok else 'MISS'}"
    )
    return ok

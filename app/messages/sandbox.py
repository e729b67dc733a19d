"""Tenant templates: validation and rendering in a pool of killable worker processes.

A Jinja2 sandbox controls what a template may touch, not what it costs: nested
loops, huge repetitions and constant expressions folded at compile time can run
for seconds (testing-notes.md). So every compile and render of a tenant template
happens in a worker process (app.messages.sandbox_worker) that the parent kills
when a job passes `JOB_TIMEOUT_S` (compile time included); a fresh worker takes
its place on the next job. The pool is created lazily, once per process, and
reused; `shutdown_sandbox()` stops it (tests, application shutdown).

Workers start with 'forkserver' where available (a fork of a small server
process that has already imported Jinja2: a few ms), else 'spawn'.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from app.domain.model import MessageKind
from app.messages.errors import SandboxUnavailable, TemplateInvalid, TemplateTimeout, TemplateTooLarge
from app.messages.sandbox_worker import MAX_SOURCE_BYTES, READY, worker_main
from app.messages.types import TemplateSource

JOB_TIMEOUT_S = 1.0
ACQUIRE_TIMEOUT_S = 5.0
#: A new worker's start-up (a fork, two Jinja2 environments) is not the template's
#: time: under load it took over a second, and a trivial template was refused as slow.
STARTUP_TIMEOUT_S = 10.0
POOL_SIZE = max(1, min(2, os.cpu_count() or 1))
_WORKER_MODULE = "app.messages.sandbox_worker"

#: Whose jobs the sandbox calls of this context are (a tenant id; `jobs_of`).
_OWNER: ContextVar[str | None] = ContextVar("sandbox_owner", default=None)


@contextmanager
def jobs_of(owner: str) -> Iterator[None]:
    """Run the block's sandbox jobs as `owner`'s. With more than one worker, an owner
    that holds all but one of them gives way to any other owner waiting for one: a
    tenant sending many slow templates cannot keep every other tenant out, and a tenant
    alone still has every worker."""
    token = _OWNER.set(owner)
    try:
        yield
    finally:
        _OWNER.reset(token)


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        try:
            ctx.set_forkserver_preload([_WORKER_MODULE])
        except Exception:  # pragma: no cover - preloading is an optimisation only
            pass
        return ctx
    return multiprocessing.get_context("spawn")


@dataclass
class _Worker:
    process: Any
    conn: Any


class SandboxPool:
    """A small, thread-safe pool of worker processes; a stuck worker is killed."""

    def __init__(self, size: int = POOL_SIZE, timeout: float = JOB_TIMEOUT_S, target: Any = worker_main) -> None:
        self.size = size
        self.timeout = timeout
        self._target = target  # a worker's entry point (module-level: the forkserver imports it)
        self._ctx = _context()
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []
        self._live = 0
        self._closed = False
        self._per_owner = max(1, size - 1)  # the share past which an owner gives way
        self._held: dict[str, int] = {}  # workers each owner holds now
        self._waiting: dict[str | None, int] = {}  # callers waiting in _acquire, by owner

    def _spawn(self) -> _Worker:
        """A started worker that has said it is ready; its start-up has its own time limit."""
        parent, child = self._ctx.Pipe(duplex=True)
        process = self._ctx.Process(target=self._target, args=(child,), daemon=True, name="followup-sandbox")
        process.start()
        child.close()
        worker = _Worker(process, parent)
        try:
            ready = parent.poll(STARTUP_TIMEOUT_S) and parent.recv() == READY
        except (EOFError, OSError):
            ready = False
        if not ready:
            self._kill(worker)
            raise SandboxUnavailable(f"no template sandbox worker started within {STARTUP_TIMEOUT_S:g} s; try again")
        return worker

    def _acquire(self, owner: str | None = None) -> _Worker:
        deadline = time.monotonic() + ACQUIRE_TIMEOUT_S
        with self._cond:
            self._waiting[owner] = self._waiting.get(owner, 0) + 1
            try:
                while True:
                    if self._closed:
                        raise SandboxUnavailable("the template sandbox is shut down; try again")
                    if self._may_take(owner):
                        while self._idle:
                            worker = self._idle.pop()
                            if worker.process.is_alive():
                                self._hold(owner)
                                return worker
                            self._discard_locked(worker)
                        if self._live < self.size:
                            self._live += 1
                            self._hold(owner)
                            break
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise SandboxUnavailable("every template sandbox worker is busy; try again")
                    self._cond.wait(remaining)
            finally:
                left = self._waiting.pop(owner) - 1
                if left:
                    self._waiting[owner] = left
        try:
            return self._spawn()
        except BaseException:
            with self._cond:
                self._live -= 1
                self._let_go(owner)
            raise

    def _may_take(self, owner: str | None) -> bool:
        """Under the lock: an owner past its share takes a worker only when nobody else waits."""
        if owner is None or self._held.get(owner, 0) < self._per_owner:
            return True
        return not any(count for waiter, count in self._waiting.items() if waiter != owner)

    def _hold(self, owner: str | None) -> None:
        if owner is not None:
            self._held[owner] = self._held.get(owner, 0) + 1

    def _let_go(self, owner: str | None) -> None:
        """Under the lock: `owner` holds one worker fewer; anyone waiting may go."""
        if owner is not None:
            left = self._held.pop(owner) - 1
            if left:
                self._held[owner] = left
        self._cond.notify_all()  # waiters wait for different things: any worker, or their owner's turn

    def _release(self, worker: _Worker, owner: str | None = None) -> None:
        with self._cond:
            if self._closed:
                self._kill(worker)
                self._live -= 1
            else:
                self._idle.append(worker)
            self._let_go(owner)

    def _discard_locked(self, worker: _Worker) -> None:
        self._kill(worker)
        self._live -= 1
        self._cond.notify_all()

    def _discard(self, worker: _Worker, owner: str | None = None) -> None:
        with self._cond:
            self._discard_locked(worker)
            self._let_go(owner)

    @staticmethod
    def _kill(worker: _Worker) -> None:
        try:
            if worker.process.is_alive():
                worker.process.kill()
            worker.process.join(timeout=2)
        finally:
            worker.conn.close()

    def run(self, op: str, payload: Any) -> tuple[str, Any]:
        """Send one job to a worker; kill the worker if it does not answer in time."""
        owner = _OWNER.get()
        worker = self._acquire(owner)
        keep = False
        try:
            try:
                worker.conn.send((op, payload))
                if not worker.conn.poll(self.timeout):
                    raise TemplateTimeout(
                        f"the template took longer than {self.timeout:g} s to compile and render"
                    )
                status, value, recycle = worker.conn.recv()
            except (EOFError, OSError, BrokenPipeError):
                raise TemplateTooLarge("the template exhausted the sandbox's resources") from None
            keep = not recycle
            return status, value
        finally:
            if keep:
                self._release(worker, owner)
            else:
                self._discard(worker, owner)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            for worker in idle:
                self._kill(worker)
                self._live -= 1
            self._cond.notify_all()


_pool: SandboxPool | None = None
_pool_lock = threading.Lock()


def get_pool() -> SandboxPool:
    """The process-wide pool, created on first use (never at import)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = SandboxPool()
        return _pool


def shutdown_sandbox() -> None:
    """Stop the worker processes; the next tenant template starts a new pool."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.close()


def _fields(source: TemplateSource) -> dict[str, str | None]:
    """The parts to compile; checks presence and size before anything is sent."""
    kind = MessageKind(source.message_kind)
    fields: dict[str, str | None] = {
        "subject": None if kind is MessageKind.LINKEDIN_NOTE else source.subject,
        "text": source.text,
        "html": source.html,
    }
    errors: list[tuple[str, str]] = []
    if kind is not MessageKind.LINKEDIN_NOTE and not (source.subject or "").strip():
        errors.append(("subject", "an email template needs a subject"))
    if not (source.text or "").strip():
        errors.append(("text", "the plain-text body is required"))
    for field, value in fields.items():
        if value is not None and len(value.encode("utf-8", "surrogatepass")) > MAX_SOURCE_BYTES:
            errors.append((field, f"the template is larger than {MAX_SOURCE_BYTES // 1024} KiB"))
    if errors:
        raise TemplateInvalid(errors)
    return fields


def _raise_for(status: str, value: Any) -> None:
    if status == "invalid":
        raise TemplateInvalid([tuple(e) for e in value])
    if status == "too_large":
        raise TemplateTooLarge(value)
    if status != "ok":
        raise TemplateInvalid([("template", str(value))])


def validate_template(source: TemplateSource) -> None:
    """Refuse a tenant template that could not render: raises `TemplateInvalid`.

    Checks: required parts, 64 KiB per part, syntax (the message names the
    line), unknown variables (the message lists the known ones), include /
    extends / import, `{% autoescape %}`, private attributes; then compiles it in the sandbox
    (`TemplateTimeout` / `TemplateTooLarge` when compiling alone is too costly).
    """
    fields = _fields(source)
    status, value = get_pool().run("validate", fields)
    _raise_for(status, value)
    if value:
        raise TemplateInvalid([tuple(e) for e in value])


def render_template(source: TemplateSource, context: dict[str, Any]) -> dict[str, str | None]:
    """Render a tenant template's parts with a plain-dict context, in the sandbox."""
    fields = _fields(source)
    status, value = get_pool().run("render", (fields, context))
    _raise_for(status, value)
    return value

"""The tail ratio a perfect machine would give bench/load.py's mix: a model, not a measurement.

Run: `.venv/bin/python bench/tail_model.py [--writes MS] [--actions MS] [--messages MS]`

Why: bench/load.py misses p99 <= 3 x p50 at 70% of the maximum, and the
question is whether the service or the workload makes that so. This replays
bench/load.py's load on an ideal server: wrk's paced schedule over 16
connections, each bound to one of 2 workers that serve one request at a
time, first come first served (a worker runs its requests' database work
inline, app/db/engine.py). Nothing else runs: no PostgreSQL or wrk competing
for the cores, no scheduler, no network. A request's time is its kind's
worker CPU time, +-15%; the defaults are the worker CPU per request measured
with /proc/<pid>/schedstat at a steady paced rate (actions 0.34 ms, messages
0.50 ms, an event write 1.14 ms).

It prints the p50, p99 and their ratio at 70% of the model's own maximum,
then the same for cheaper writes: with 30% of the requests costing 3.4x the
median read, even this machine-free model answers p99/p50 about 3.5, and
only writes at about 2.4x a read bring it under 3.

What the real machine adds (measured 2026-11-26 with a probe in each worker,
at 1,100 req/s, 79% of that run's maximum): a worker was inside a request
78-80% of the time but on the CPU 48% of the time; the difference it waited
for PostgreSQL, whose backends share the same 2 cores (inline database work,
app/db/engine.py), or for a core. Per request the service also costs more CPU below
saturation than at it (worker 934 -> 1,082 us, PostgreSQL 376 -> 427 us:
more sleeps and wake-ups), so 76% of the maximum kept the machine 86% busy.
Pinning each worker and its backends to a core cut the maximum from ~1,400
to 919 req/s; running wrk at nice -10 did not lower p99/p50 (plain 4.05-4.69,
niced 4.07-10.14, three runs each, interleaved).

What the real machine showed next (2026-11-26, later): the writes are not
what makes its tail. The model gives the mix's reads alone a p99/p50 of
1.35; on the machine, bench/load.py's reads-only run at 70% of its own
maximum gave 5.15, 7.21 and 6.41 (the whole mix 5.28 and 5.26 in the same
runs). Controls paced at 70% of their own maxima, same machine, same day:
- the bare endpoint, which does nothing: 2.44-3.11 (fifteen runs);
- the bare endpoint after one inline `SELECT 1` on a psycopg connection
  (GET /bare/db): 2.89, 3.82, 3.57 and 4.17; the same on psycopg's
  AsyncConnection, awaited (a throwaway app, not kept): 4.14, 3.43, 2.84,
  with a lower maximum (~7,100 against ~9,500 req/s);
- the service's /readyz (FastAPI, the pool, one `SELECT 1`): 2.67, 5.38,
  8.50, 5.34, 6.73, 6.69;
- the bare endpoint after the `SELECT 1` and a fixed spin on the CPU (a
  throwaway app, two rounds): 150 us 5.10 and 3.97, 300 us 2.59 and 5.08,
  600 us 2.59 and 3.04 (the last at 1,545-1,628 req/s).
So on 2 cores shared with PostgreSQL and wrk, a request that waits once
for the database already sits around 3 (2.9-4.2), and one 8-second run's
ratio can swing 2x. Where a request's work runs matters more than how much
there is: the same ~400 us done in the worker (a spin after the SELECT 1)
or in PostgreSQL (the SELECT counting 4,000 rows of generate_series
instead, the worker blocked on it), throwaway apps interleaved, gave
p99/p50 3.91, 3.05, 3.56, 2.51, 3.39, 2.52 in the worker (one outlier,
8.22) against 5.25, 6.32, 6.85, 7.60, 6.65, 5.08, 5.62, 6.45, 7.02, 6.38
in PostgreSQL (p99 3-5 ms against 9-13 ms): a request that blocks on a
second process sharing the cores waits to be scheduled twice. Neither
autogroup (off: 6.45 and 6.38, on: 5.62 and 7.02 for the PostgreSQL
variant) nor awaiting psycopg's AsyncConnection (p99 12-14 ms against 9-13
blocking, interleaved; the ratio fell only because p50 rose to 2.3-5.1 ms)
changed that. The service sends a write's persistence to PostgreSQL (805
us of backend CPU per write at saturation), and a database on a host of
its own would take that off these cores (not measured: this machine is one
host).
/proc/<pid>/schedstat during the paced mix (1,338 req/s): per request, the
workers ran 807 us and waited 357 us for a core, PostgreSQL's backends ran
326 us and waited 160 us; the workers were switched out involuntarily 4.6
times per request and slept 0.8 times (a woken backend takes the core of
the worker that woke it). Also measured and not kept: PostgreSQL over its
Unix socket instead of loopback TCP (p99/p50 6.17 and 5.07 against 5.23
and 5.02, interleaved), and a 150 us EEVDF slice (sched_setattr) for the
workers and backends (4.81 against 5.25).
The nearest stand-in for a database host of its own (2026-11-26, tenth
session, interleaved): every PostgreSQL process pinned to one core
(`taskset`), bench/load.py with its servers and wrk to the other. p99/p50
at 70% 4.35 and 3.86 against 6.57 and 3.64 unpinned; p99 8.4 and 7.7 ms
against 20.4 and 22.5 ms, at 688 and 658 against 1,139 and 1,201 req/s
(maxima 983 and 941 against 1,645 and 1,757): the absolute tail falls by
more than half, the ratio does not reliably reach 3, and the service has
one core instead of two. Running wrk at nice -10 or SCHED_FIFO again gave
4.76, 4.98 and 5.65 against 4.73 and 6.72. Keeping both vCPUs out of HLT
with a SCHED_IDLE spinner on each (a guess that waking a halted vCPU makes
the spread) halved the maximum (774 against 1,350 req/s) and gave 6.16
against 4.82: not kept.
Two more suspects, ruled out on 2026-11-27 (fifteenth session):
- Python's garbage collector. A gc.callbacks probe in every process of a
  whole bench/load.py run (loaded from a .pth file, not kept) counted, per
  worker over ~150 s, ~400 young collections of 0.13-0.15 ms (p99 0.5 ms)
  and ~36 middle ones of 1.3-1.6 ms (p99 3.5-10 ms); the 60-110 ms full
  collections all ran at start-up, before app_factory freezes the heap.
  About 120 ms of pauses in 150 s cannot make a p99 that 1% of ~130,000
  requests per worker reach; the bare app's workers showed the same.
- A write waiting for PostgreSQL holds up the reads queued behind it on its
  worker (each worker serves one request at a time). Running the fast
  lane's event write in a thread (anyio.to_thread), so the loop serves
  reads meanwhile, made things worse, interleaved with HEAD: maxima 704 and
  669 against 931 and 892 req/s, p99/p50 at 70% 7.87 and 7.32 against 6.17
  and 5.64, writes' p50 at 70% 22.4 and 8.1 ms against 5.0 and 8.6: the
  write thread and the loop contend for the GIL, and the hop costs more than
  the overlap wins. Not kept.
"""

from __future__ import annotations

import argparse
import heapq
import random
from collections.abc import Sequence

CONNECTIONS = 16
WORKERS = 2
Service = tuple[float, float]  # (share of the requests, milliseconds)


def simulate(rate: float, mix: Sequence[Service], *, seconds: float = 60.0, seed: int = 1) -> tuple[float, float, float]:
    """(requests per second, p50 ms, p99 ms) of the paced load at `rate` (inf: closed loop)."""
    draw = random.Random(seed)
    worker_of = [c % WORKERS for c in range(CONNECTIONS)]
    worker_free = [0.0] * WORKERS
    interval = 0.0 if rate == float("inf") else 1000.0 / rate
    next_slot, end, latencies = 0.0, seconds * 1000.0, []
    ready = [(0.0, c) for c in range(CONNECTIONS)]  # when each connection may send again
    while ready:
        now, connection = heapq.heappop(ready)
        if now > end:
            break
        # wrk's delay() in bench/load.py: take the next slot; a schedule fallen behind restarts from now.
        next_slot = max(next_slot, now)
        sent, next_slot = next_slot, next_slot + interval
        cost = _cost(draw, mix)
        worker = worker_of[connection]
        done = max(sent, worker_free[worker]) + cost
        worker_free[worker] = done
        latencies.append(done - sent)
        heapq.heappush(ready, (done, connection))
    latencies.sort()
    return len(latencies) / seconds, latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.99)]


def _cost(draw: random.Random, mix: Sequence[Service]) -> float:
    pick, total = draw.random(), 0.0
    for share, milliseconds in mix:
        total += share
        if pick < total:
            return milliseconds * (0.85 + 0.3 * draw.random())
    return mix[-1][1]


def at_70(mix: Sequence[Service]) -> tuple[float, float, float, float]:
    maximum = simulate(float("inf"), mix)[0]
    rps, p50, p99 = simulate(0.7 * maximum, mix)
    return maximum, rps, p50, p99


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--actions", type=float, default=0.34, help="worker ms per GET .../actions")
    parser.add_argument("--messages", type=float, default=0.50, help="worker ms per GET .../messages/...")
    parser.add_argument("--writes", type=float, default=1.14, help="worker ms per POST .../events")
    args = parser.parse_args()

    def mix(write: float) -> list[Service]:
        return [(0.35, args.actions), (0.35, args.messages), (0.30, write)]

    print(f"model: {CONNECTIONS} connections on {WORKERS} first-come-first-served workers, bench/load.py's 70/30 mix")
    for write in (args.writes, 1.0, 0.8, 0.6):
        maximum, rps, p50, p99 = at_70(mix(write))
        print(f"  write {write:.2f} ms ({write / args.actions:.1f}x an actions read): max {maximum:.0f} req/s;"
              f" at 70% ({rps:.0f} req/s) p50 {p50:.2f} p99 {p99:.2f} ms, p99/p50 {p99 / p50:.2f}")


if __name__ == "__main__":
    main()

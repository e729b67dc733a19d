"""Benchmark: built-in message rendering in-process (target: median <= 200 µs).

Varied inputs: every kind, every language, topics or none, AI and agency cases,
long fields (LinkedIn shortening). Prints median and p95 per render in µs, and
a bare control (dict copy) measured in the same run; exits 1 on a miss.

    .venv/bin/python bench/render_bench.py [--rounds N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

TARGET_US = 200.0


def cases():
    from app.messages.locales import SUPPORTED_LOCALES
    from tests.messages.scenarios import AT, KINDS, contact_for, variants

    out = []
    for locale in SUPPORTED_LOCALES:
        for name, (interview, events) in variants(locale).items():
            if name == "no_topic":
                interview = replace(interview, candidate_name="Ö" * 200, company_name="C" * 200)
            for kind in KINDS:
                if kind.value == "rejection_reply" and not any(e.type.value == "rejection_received" for e in events):
                    continue
                out.append(dict(interview=interview, events=events, message_kind=kind,
                                contact_id=contact_for(kind, interview), at=AT, locale=locale))
    return out


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()

    from app.messages.render import render_message

    inputs = cases()
    for kwargs in inputs:  # warm: compile templates, fill date caches
        render_message(**kwargs)
    samples: list[float] = []
    control: list[float] = []
    for _ in range(args.rounds):
        for kwargs in inputs:
            started = time.perf_counter_ns()
            render_message(**kwargs)
            samples.append((time.perf_counter_ns() - started) / 1000)
            started = time.perf_counter_ns()
            dict(kwargs)
            control.append((time.perf_counter_ns() - started) / 1000)
    samples.sort()
    median = statistics.median(samples)
    p95 = samples[int(len(samples) * 0.95) - 1]
    print(f"render_message (builtin): {len(samples)} renders over {len(inputs)} inputs")
    print(f"  median {median:.1f} µs   p95 {p95:.1f} µs   max {samples[-1]:.1f} µs   target median <= {TARGET_US:.0f} µs")
    print(f"  control (dict copy): median {statistics.median(control):.2f} µs")
    if median > TARGET_US:
        print("MISS: median above target", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

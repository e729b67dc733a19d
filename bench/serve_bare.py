"""bench/bare_app.py served as `followup serve` serves the app (app.server.serve).

The control of bench/load.py: the same workers, event loop, protocol and
connection balancing as the service, so the comparison is of the apps alone.

Run: `.venv/bin/python bench/serve_bare.py --port 8001 [--workers 2]`
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.server import serve  # noqa: E402

if __name__ == "__main__":  # the workers are spawned: they import this module again
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    serve(host="127.0.0.1", port=args.port, workers=args.workers, log_level="warning", app="bench.bare_app:app", factory=False)

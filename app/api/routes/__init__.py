"""One router per resource.

Reads are `async def`: they are short, and a thread hop would cost more than
they do. Writes are plain `def`, which FastAPI runs in its threadpool: a
write spends most of its time waiting for PostgreSQL (the lock, the batched
statements, the commit's fsync), and in a thread that wait no longer holds
up the reads queued on the same event loop (bench/load.py).
"""

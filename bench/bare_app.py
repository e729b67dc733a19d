"""The control of every HTTP benchmark: a bare FastAPI app, one `async def`
endpoint returning a small constant dict, no middleware (performance-notes.md)."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/bare")
async def bare() -> dict[str, str]:
    return {"status": "ok"}

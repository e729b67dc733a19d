"""A query parameter that takes one value, sent twice, is refused at its place (422).

FastAPI kept the last value: `?status=active&status=closed` listed the closed ones
only, to a client that meant either.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, FastAPI, Query
from fastapi.testclient import TestClient

from app.api.routing import REPEATED, CheckedRoute
from tests.api.helpers import assert_problem


def _refused(response, *names: str) -> None:
    problem = assert_problem(response, 422)
    assert problem["type"] == "https://followup.invalid/problems/validation", problem
    assert problem["errors"] == [{"loc": f"query.{name}", "message": REPEATED} for name in names], problem


def test_a_repeated_parameter_is_refused_on_every_route_that_takes_one(client, tenant, victim):
    h, interview, contact = tenant.headers, victim["interview_id"], victim["contact_id"]
    at = "at=2026-05-01T10:00:00Z&at=2026-06-01T10:00:00Z"
    _refused(client.get("/v1/interviews?limit=5&limit=7", headers=h), "limit")
    _refused(client.get("/v1/interviews?status=active&status=closed", headers=h), "status")
    _refused(client.get("/v1/interviews?status=active&limit=1&status=closed&limit=2&company_name=Acme", headers=h), "limit", "status")
    _refused(client.get("/v1/actions?state=due&state=overdue", headers=h), "state")
    _refused(client.get(f"/v1/actions?kind=follow_up&{at}", headers=h), "at")
    _refused(client.get(f"/v1/interviews/{interview}/actions?{at}", headers=h), "at")
    _refused(client.get(f"/v1/interviews/{interview}/events?limit=1&limit=1", headers=h), "limit")  # the same value too
    _refused(client.get(f"/v1/interviews/{interview}/messages/thank_you?contact_id={contact}&contact_id=x", headers=h), "contact_id")
    _refused(client.get("/v1/templates?cursor=&cursor=", headers=h), "cursor")
    # Refused before the key is read, as a body that cannot be parsed is (400 before 401).
    _refused(client.get("/v1/interviews?limit=5&limit=7"), "limit")
    assert_problem(client.post("/v1/interviews", content=b"{", headers={"Content-Type": "application/json"}), 400, validation=False)


def test_one_value_each_and_repeats_of_what_no_route_reads_are_fine(client, tenant, victim):
    h, interview = tenant.headers, victim["interview_id"]
    assert client.get("/v1/interviews?limit=5&status=active&utm=a&utm=b", headers=h).status_code == 200
    assert client.get(f"/v1/interviews/{interview}/actions?at=2026-05-01T10:00:00Z&x=1&x=2", headers=h).status_code == 200
    assert client.get(f"/v1/interviews/{interview}?limit=1&limit=2", headers=h).status_code == 200  # it takes no query


def test_a_parameter_that_takes_many_values_takes_them_repeated():
    router = APIRouter(route_class=CheckedRoute)

    @router.get("/items")
    async def items(tags: Annotated[list[str] | None, Query()] = None, limit: int = 1) -> dict:
        return {"tags": tags, "limit": limit}

    app = FastAPI()
    app.include_router(router)
    client = TestClient(app)
    assert client.get("/items?tags=a&tags=b&limit=3").json() == {"tags": ["a", "b"], "limit": 3}
    refused = client.get("/items?tags=a&limit=3&limit=4")
    assert refused.status_code == 422
    assert [e["loc"] for e in refused.json()["detail"]] == [["query", "limit"]]

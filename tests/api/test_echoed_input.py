"""A string the client sent is echoed in a problem's `detail` by its first 64 characters.

A path id has no length limit of its own: a 404 for a 10,000-character id echoed it
whole (a URL of ~60 KB did the same), so the answer grew with the request.
"""

from __future__ import annotations

from app.echo import ECHO_MAX
from tests.api.helpers import assert_problem

LONG = "".join(chr(ord("a") + i % 26) for i in range(10_000))
SHOWN = repr(LONG[:ECHO_MAX] + "…")


def _assert_clipped(response, status: int, shown: str = SHOWN) -> dict:
    problem = assert_problem(response, status)
    assert shown in problem["detail"], problem["detail"][:300]
    assert len(response.content) < 1000, len(response.content)
    return problem


def test_a_long_path_id_is_echoed_by_its_start_on_every_route(client, tenant, victim):
    h, interview = tenant.headers, victim["interview_id"]
    put = {"message_kind": "follow_up", "locale": "it", "subject": "Ciao", "text": "Grazie"}
    for response in (
        client.get(f"/v1/interviews/{LONG}", headers=h),
        client.patch(f"/v1/interviews/{LONG}", json={"notes": "x"}, headers=h),
        client.delete(f"/v1/interviews/{LONG}", headers=h),
        client.get(f"/v1/interviews/{LONG}/actions", headers=h),
        client.get(f"/v1/interviews/{LONG}/messages/follow_up", headers=h),
        client.get(f"/v1/interviews/{LONG}/events", headers=h),
        client.post(f"/v1/interviews/{LONG}/events", json={"type": "closed"}, headers=h),
        client.get(f"/v1/interviews/{interview}/events/{LONG}", headers=h),
        client.get(f"/v1/templates/{LONG}", headers=h),
        client.put(f"/v1/templates/{LONG}", json=put, headers=h),
        client.delete(f"/v1/templates/{LONG}", headers=h),
    ):
        _assert_clipped(response, 404)


def test_a_long_query_or_body_value_is_echoed_by_its_start(client, tenant, victim):
    h, interview = tenant.headers, victim["interview_id"]
    # A contact id that names nobody (at most 100 characters by the schema).
    _assert_clipped(client.get(f"/v1/interviews/{interview}/messages/follow_up", params={"contact_id": LONG[:100]}, headers=h), 422)
    # A timestamp sent with an unescaped "+" is shown back corrected, by its start.
    r = client.get(f"/v1/interviews/{interview}/actions", params={"at": "2026-04-08T09:00:00 " + LONG}, headers=h)
    problem = assert_problem(r, 422)
    assert problem["errors"][0]["message"].endswith("e.g. " + ("2026-04-08T09:00:00%2B" + LONG)[:ECHO_MAX] + "…"), problem
    assert len(r.content) < 1000
    # A contact id a PATCH does not know (at most 100 characters by the schema).
    unknown = {"interviewers": [{"id": LONG[:100], "name": "Dana Lee"}]}
    _assert_clipped(client.patch(f"/v1/interviews/{interview}", json=unknown, headers=h), 422)

"""Odd input a schema-driven fuzzer does not send, answered as one problem at its place.

A body that is not JSON is one problem, `malformed-json`, saying what is wrong with
it at `body`. FastAPI answers the parser's errors in two ways: a syntax error became a 400 whose
only error sat at `body.<character offset>` (a loc a client reads as a field named
"7") with the message "JSON decode error"; bytes that are not UTF-8, nesting deeper
than the parser's recursion limit or an integer too long to convert became another
400, typed `bad-request`, "There was an error parsing the body", with no errors at all.
"""

from __future__ import annotations

import pytest

from tests.api.helpers import assert_problem, interview_body

MALFORMED = {
    "trailing garbage": (b'{"candidate_name": "Alex"}x', "line 1, column 27"),
    "a second document": (b'{"candidate_name": "Alex"}\n{}', "line 2, column 1"),
    "only spaces": (b"   ", "line 1, column 4"),
    "unterminated": (b'{"candidate_name": "Al', "line 1, column 20"),
    "not UTF-8": (b'{"candidate_name": "Al\xffex"}', "UTF-8"),
    "latin-1 declared, still not UTF-8": (b'{"candidate_name": "Zo\xeb"}', "UTF-8"),
    "nested 100,000 deep": (b'{"topics": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "deep"),
    "an integer of 5,000 digits": (b'{"decision_timeline_days": ' + b"1" * 5000 + b"}", "digits"),
    "a repeated key": (b'{"candidate_name": "Alex",\n "candidate_name": "Sam"}',
                       'repeats the key "candidate_name" in one object, again at line 2, column 2'),
    "a key repeated in a nested object": (b'{"agency": {"name": "A", "name": "B"}}', 'repeats the key "name" in one object, again at line 1, column 26'),
    "a key repeated in an object in an array": (b'{"interviewers": [{"name": "Dana"}, {"name": "Sam", "role": "ai", "name": "X"}]}',
                                                'repeats the key "name" in one object, again at line 1, column 67'),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_body_is_one_problem_saying_what_at_body(client, tenant, case):
    raw, says = MALFORMED[case]
    content_type = "application/json; charset=latin-1" if "latin-1" in case else "application/json"
    for path in ("/v1/interviews", "/v1/plan"):
        r = client.post(path, content=raw, headers={**tenant.headers, "Content-Type": content_type})
        problem = assert_problem(r, 400, validation=False)
        assert (problem["type"], problem["title"]) == ("https://followup.invalid/problems/malformed-json", "Malformed JSON"), problem
        assert [e["loc"] for e in problem["errors"]] == ["body"], problem
        message = problem["errors"][0]["message"]
        assert says in message and message in problem["detail"], problem


def test_a_malformed_event_body_reads_the_same_on_the_fast_lane(client, tenant):
    """Event writes are answered below FastAPI when plain (app.api.fastlane); a body it
    cannot parse goes on to FastAPI, which must answer it like any other route."""
    interview = client.post("/v1/interviews", json=interview_body(), headers=tenant.headers).json()
    r = client.post(f"/v1/interviews/{interview['id']}/events", content=b'{"type": "closed"} x',
                    headers={**tenant.headers, "Content-Type": "application/json"})  # fmt: skip
    problem = assert_problem(r, 400, validation=False)
    assert problem["errors"] == [{"loc": "body", "message": "is not valid JSON: extra data at line 1, column 20"}], problem


def test_a_repeated_key_in_an_event_body_is_malformed_on_the_fast_lane_too(client, tenant):
    """`{"type": "a", "type": "b"}` was read as the last value by both parsers (orjson on
    the fast lane, json on FastAPI's path), though a client or proxy may read the first."""
    interview = client.post("/v1/interviews", json=interview_body(), headers=tenant.headers).json()
    path = f"/v1/interviews/{interview['id']}/events"
    r = client.post(path, content=b'{"type": "closed", "type": "response_received"}', headers={**tenant.headers, "Content-Type": "application/json"})
    problem = assert_problem(r, 400, validation=False)
    assert problem["errors"] == [{"loc": "body", "message": 'repeats the key "type" in one object, again at line 1, column 20'}], problem
    assert client.get(path, headers=tenant.headers).json()["items"] == []
    # Colons in strings, escaped ones and one key in two objects are no repeat.
    fine = b'{"type": "response_received", "note": "re: 10:30 \\\\u003a \\u003a", "contact_id": null}'
    r = client.post(path, content=fine, headers={**tenant.headers, "Content-Type": "application/json"})
    assert r.status_code == 201, r.text
    assert r.json()["note"] == "re: 10:30 \\u003a :"


def _nul_requests(client, tenant, victim):
    """(request, the parameter at fault) for each path id and text that reaches a query (the
    locale picks the tenant's template: the victim has one)."""
    interview, event, template = victim["interview_id"], victim["event_id"], victim["template_id"]
    put = {"message_kind": "follow_up", "locale": "it", "subject": "Ciao", "text": "Grazie"}
    h = tenant.headers
    return [
        (lambda: client.get("/v1/interviews", params={"company_name": "Ac\x00me"}, headers=h), "query.company_name"),
        (lambda: client.get("/v1/interviews", params={"external_ref": "\x00"}, headers=h), "query.external_ref"),
        (lambda: client.get("/v1/interviews/a%00b", headers=h), "path.interview_id"),
        (lambda: client.patch("/v1/interviews/a%00b", json={"notes": "x"}, headers=h), "path.interview_id"),
        (lambda: client.delete("/v1/interviews/a%00b", headers=h), "path.interview_id"),
        (lambda: client.get("/v1/interviews/a%00b/events", headers=h), "path.interview_id"),
        (lambda: client.post("/v1/interviews/a%00b/events", json={"type": "closed"}, headers=h), "path.interview_id"),
        (lambda: client.get("/v1/interviews/a%00b/actions", headers=h), "path.interview_id"),
        (lambda: client.get("/v1/interviews/a%00b/messages/follow_up", headers=h), "path.interview_id"),
        (lambda: client.get(f"/v1/interviews/{interview}/events/e%00", headers=h), "path.event_id"),
        (lambda: client.get(f"/v1/interviews/{interview}/messages/follow_up", params={"locale": "i\x00t"}, headers=h),
         "query.locale"),  # fmt: skip
        (lambda: client.post("/v1/render", json={"interview": interview_body(), "message_kind": "follow_up", "locale": "i\x00t"},
                             headers=h), "body.locale"),  # fmt: skip
        (lambda: client.get("/v1/templates/t%00", headers=h), "path.template_id"),
        (lambda: client.put("/v1/templates/t%00", json=put, headers=h), "path.template_id"),
        (lambda: client.delete("/v1/templates/t%00", headers=h), "path.template_id"),
        (lambda: client.get(f"/v1/templates/{template}", headers=h), None),  # the victim is still there
        (lambda: client.get(f"/v1/interviews/{interview}/events/{event}", headers=h), None),
    ]


def test_a_nul_in_a_path_id_or_a_filter_is_refused_at_its_parameter_on_every_database(client, tenant, victim):
    """PostgreSQL cannot compare text holding a NUL: there such a request was a 422 at
    `request` (the database's error, mapped), on SQLite a 404 or an empty list. The same
    request gets the same answer on both, naming the parameter."""
    for call, loc in _nul_requests(client, tenant, victim):
        r = call()
        if loc is None:
            assert r.status_code == 200, r.text
            continue
        problem = assert_problem(r, 422)
        assert problem["errors"] == [{"loc": loc, "message": "must not contain a NUL character"}], (r.request.url, problem)


def test_an_empty_list_that_needs_an_item_reads_as_a_sentence(client, tenant):
    """Pydantic says "List should have at least 1 item after validation, not 0": the
    validation it means is its own, not one the client ran."""
    policy = client.get("/v1/policy", headers=tenant.headers).json()
    r = client.put("/v1/policy", json={**policy, "send_days": []}, headers=tenant.headers)
    assert assert_problem(r, 422)["errors"] == [{"loc": "body.send_days", "message": "must have at least 1 item"}]

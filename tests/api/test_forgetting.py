"""Deleting an interview forgets it: no row anywhere still holds its personal data.

An interview carries people's names, emails and notes (api-contract "Interviews").
`DELETE /v1/interviews/{interview_id}` must leave none of it behind: not in its own
rows (contacts, events, planned actions) and not in the answers kept for an
`Idempotency-Key` for 24 h, which are whole response bodies.
"""

from __future__ import annotations

from tests.api.helpers import create_interview, interview_body, snapshot

#: Written into every personal field, so a leftover is found wherever it hides.
MARK = "Zelda-Forgetme"


def _personal_body(**overrides):
    return interview_body(
        candidate_name=f"{MARK} Candidate",
        candidate_email="zelda.forgetme@example.com",
        notes=f"{MARK}: notes about the interview",
        interviewers=[
            {"name": f"{MARK} Interviewer", "email": "ivan.forgetme@acme.example", "role": "hiring_manager", "rapport": "good"}
        ],
        **overrides,
    )


def _rows_mentioning(db, *needles: str) -> dict[str, list[tuple]]:
    return {
        table: hits
        for table, rows in snapshot(db).items()
        if (hits := [row for row in rows if any(needle in repr(row) for needle in needles)])
    }


def test_deleting_an_interview_leaves_no_row_with_its_data(client, app, tenant):
    """The stored Idempotency-Key answers (the created interview's and its events' bodies,
    with names, emails and notes) outlived the DELETE for 24 h."""
    r = client.post("/v1/interviews", json=_personal_body(), headers={**tenant.headers, "Idempotency-Key": "create-1"})
    assert r.status_code == 201, r.text
    interview = r.json()
    contact_id = interview["interviewers"][0]["id"]
    r = client.post(
        f"/v1/interviews/{interview['id']}/events",
        json={"type": "thank_you_sent", "contact_id": contact_id, "note": f"{MARK} event note"},
        headers={**tenant.headers, "Idempotency-Key": "event-1"},
    )
    assert r.status_code == 201, r.text
    kept = create_interview(client, tenant, external_ref="kept")  # another interview's rows stay

    assert client.delete(f"/v1/interviews/{interview['id']}", headers=tenant.headers).status_code == 204

    assert _rows_mentioning(app.state.db, MARK, "forgetme", interview["id"], contact_id) == {}
    assert client.get(f"/v1/interviews/{kept['id']}", headers=tenant.headers).status_code == 200


def test_a_retried_create_after_the_delete_does_not_replay_the_deleted_interview(client, tenant):
    """A retry with the key of a deleted interview's create answered its body again (the
    candidate's name, email and notes) with a Location that is a 404."""
    headers = {**tenant.headers, "Idempotency-Key": "create-2"}
    first = client.post("/v1/interviews", json=_personal_body(), headers=headers)
    assert first.status_code == 201
    assert client.delete(first.headers["location"], headers=tenant.headers).status_code == 204

    again = client.post("/v1/interviews", json=_personal_body(), headers=headers)
    assert again.headers.get("idempotent-replayed") != "true"
    assert again.json()["id"] != first.json()["id"]
    assert client.get(again.headers["location"], headers=tenant.headers).status_code == 200


def test_other_interviews_idempotency_answers_survive_a_delete(client, tenant):
    """Only the deleted interview's answers are forgotten: another one's retry still replays."""
    headers = {**tenant.headers, "Idempotency-Key": "create-3"}
    body = interview_body(external_ref="kept")  # built once: its starts_at is "3 days ago" to the second
    kept = client.post("/v1/interviews", json=body, headers=headers)
    gone = create_interview(client, tenant)
    assert client.delete(f"/v1/interviews/{gone['id']}", headers=tenant.headers).status_code == 204

    again = client.post("/v1/interviews", json=body, headers=headers)
    assert again.headers.get("idempotent-replayed") == "true"
    assert again.json()["id"] == kept.json()["id"]

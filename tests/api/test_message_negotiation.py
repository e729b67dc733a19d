"""The messages routes negotiate JSON or .eml by `Accept`, and say so with `Vary`.

RFC 9110 12.5.1: `q=0` means "not acceptable", and the client's preference
decides between the two types. 12.5.5: an answer chosen by request headers
names them in `Vary`, or a shared cache hands the JSON to a client that asked
for the .eml, or German to a French reader.
"""

from __future__ import annotations

import pytest

from app.api.routes.messages import wants_eml
from tests.api.helpers import create_interview, interview_body

EML, JSON = "message/rfc822", "application/json"


@pytest.mark.parametrize(
    ("accept", "eml"),
    [
        (None, False),
        ("*/*", False),
        (JSON, False),
        (EML, True),
        ("message/*", True),
        ("Message/RFC822", True),
        (f"{EML}, */*;q=0.1", True),
        (f"{JSON};q=1, {EML};q=0", False),  # "not the .eml"
        (f"{JSON}, {EML};q=0.5", False),  # JSON preferred
        (f"{JSON};q=0.4, {EML};q=0.9", True),
        (f"{JSON}, {EML}", True),  # a tie: the .eml was asked for by name
        (f"{EML};q=abc", False),  # an unreadable q-value accepts nothing
        (f"{EML};level=1;q=0.7, */*;q=0.2", True),
    ],
)
def test_accept_decides_between_json_and_the_eml(accept, eml):
    assert wants_eml(accept) is eml


def test_every_message_answer_names_the_headers_it_varies_by(client, tenant):
    interview = create_interview(client, tenant)
    dana = interview["interviewers"][0]["id"]
    path = f"/v1/interviews/{interview['id']}/messages/thank_you?contact_id={dana}"
    for accept, media_type in ((None, JSON), (EML, EML), (f"{JSON}, {EML};q=0", JSON)):
        headers = {**tenant.headers, **({"Accept": accept} if accept else {})}
        answer = client.get(path, headers=headers)
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith(media_type), accept
        assert answer.headers["vary"] == "Accept, Accept-Language, Origin"  # Origin: CORS's own
    body = {"interview": {k: v for k, v in interview.items() if k in ("candidate_name", "job_title", "company_name", "starts_at", "format")},
            "message_kind": "follow_up"}  # fmt: skip
    inline = client.post("/v1/render", json=body, headers=tenant.headers)
    assert inline.status_code == 200, inline.text
    assert inline.headers["vary"] == "Accept, Accept-Language, Origin"


def test_a_contact_id_naming_nobody_is_refused_for_every_kind(client, tenant):
    """The rules choose a follow-up's recipient, but a contact_id that names nobody is a
    client's mistake (it was silently ignored): 422, like thank_you's."""
    interview = create_interview(client, tenant)
    for kind in ("thank_you", "follow_up", "linkedin_note"):
        answer = client.get(f"/v1/interviews/{interview['id']}/messages/{kind}?contact_id=nobody", headers=tenant.headers)
        assert answer.status_code == 422, (kind, answer.text)
        assert answer.json()["detail"] == "No contact with id 'nobody' in this interview."
    named = interview["interviewers"][0]["id"]
    follow_up = client.get(f"/v1/interviews/{interview['id']}/messages/follow_up?contact_id={named}", headers=tenant.headers)
    plain = client.get(f"/v1/interviews/{interview['id']}/messages/follow_up", headers=tenant.headers)
    assert follow_up.status_code == 200 and follow_up.json()["recipient"] == plain.json()["recipient"]


def test_the_eml_is_dated_in_the_candidates_time_zone(client, tenant):
    """The same moment as `at`, written with the interview zone's offset (it was always +0000)."""
    from datetime import UTC, datetime, timedelta
    from email import policy
    from email.parser import BytesParser

    interview = create_interview(client, tenant, timezone="America/New_York", candidate_email="jordan@example.com")
    dana = interview["interviewers"][0]["id"]
    at = datetime.fromisoformat(interview["starts_at"]) + timedelta(hours=5)
    path = f"/v1/interviews/{interview['id']}/messages/thank_you"
    answer = client.get(path, params={"contact_id": dana, "at": at.astimezone(UTC).isoformat()}, headers={**tenant.headers, "Accept": EML})
    assert answer.status_code == 200, answer.text
    date = BytesParser(policy=policy.default).parsebytes(answer.content)["Date"].datetime
    assert date == at and date.utcoffset() in (timedelta(hours=-5), timedelta(hours=-4))


@pytest.mark.parametrize("path", ["stored", "inline"])
def test_the_eml_is_built_off_the_event_loop(client, tenant, monkeypatch, path):
    """Folding a long non-ASCII header takes the email package long (a 998-character subject:
    half a second); on the event loop, every other request of every tenant waited for it."""
    import asyncio

    from app.services import messages

    loops = []
    build = messages.build_eml

    def recording(*args, **kwargs):
        try:
            loops.append(asyncio.get_running_loop())
        except RuntimeError:
            loops.append(None)
        return build(*args, **kwargs)

    monkeypatch.setattr(messages, "build_eml", recording)
    interview = create_interview(client, tenant)
    dana = interview["interviewers"][0]["id"]
    headers = {**tenant.headers, "Accept": EML}
    if path == "stored":
        answer = client.get(f"/v1/interviews/{interview['id']}/messages/thank_you", params={"contact_id": dana}, headers=headers)
    else:
        body = {"interview": interview_body(interviewers=[{"id": "d", "name": "Dana Lee", "email": "dana@acme.example"}]),
                "message_kind": "thank_you", "contact_id": "d"}
        answer = client.post("/v1/render", json=body, headers=headers)
    assert answer.status_code == 200, answer.text
    assert loops == [None]

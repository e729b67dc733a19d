"""An address the API accepts always gives an .eml: one with a non-ASCII local part
(`dörte@example.de`, `用户@例子.广告`) is written as an RFC 6532 message (it was a 422)."""

from __future__ import annotations

from datetime import datetime, timedelta
from email import policy
from email.parser import BytesParser

import idna

from tests.api.helpers import create_interview, interview_body

EML = {"Accept": "message/rfc822"}
CANDIDATE, DANA, AGENT = "dörte@example.de", "用户@例子.广告", "agentür@straße.de"


def read_eml(answer):
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("message/rfc822")
    msg = BytesParser(policy=policy.default).parsebytes(answer.content)
    assert not msg.defects
    return msg


def address(msg, name: str) -> str:
    """The one address of a header, its domain back in Unicode. Python 3.11 leaves the raw
    UTF-8 of a parsed address as surrogates but decodes the header's text: parse that."""
    (parsed,) = policy.default.header_factory(name, str(msg[name])).addresses
    return f"{parsed.username}@{idna.decode(parsed.domain)}"


def interviewers():
    return [{"name": "Li Wei", "email": DANA, "role": "hiring_manager"}, {"name": "Sam Roe", "email": "sam@acme.example"}]


def test_a_stored_interview_with_non_ascii_local_parts_gives_an_eml(client, tenant):
    interview = create_interview(client, tenant, candidate_email=CANDIDATE, interviewers=interviewers())
    assert interview["candidate_email"] == CANDIDATE and interview["interviewers"][0]["email"] == DANA
    li = interview["interviewers"][0]["id"]
    msg = read_eml(client.get(f"/v1/interviews/{interview['id']}/messages/thank_you?contact_id={li}", headers={**tenant.headers, **EML}))
    assert (address(msg, "From"), address(msg, "To")) == (CANDIDATE, DANA)
    assert "Li Wei" in msg.get_payload()[0].get_content()


def test_the_agency_contact_and_the_stateless_render_too(client, tenant):
    """Rule 9 sends the follow-up to the agency contact, whose address is international too."""
    agency = {"name": "Hire Co", "contact_name": "Pat", "contact_email": AGENT}
    interview = create_interview(client, tenant, candidate_email=CANDIDATE, interviewers=interviewers(), agency=agency)
    at = (datetime.fromisoformat(interview["starts_at"]) + timedelta(days=12)).isoformat()
    stored = client.get(f"/v1/interviews/{interview['id']}/messages/follow_up", params={"at": at}, headers={**tenant.headers, **EML})
    assert (address(read_eml(stored), "From"), address(read_eml(stored), "To")) == (CANDIDATE, AGENT)
    body = {"interview": interview_body(candidate_email=CANDIDATE, interviewers=interviewers(), agency=agency), "message_kind": "follow_up", "at": at}
    inline = read_eml(client.post("/v1/render", json=body, headers={**tenant.headers, **EML}))
    assert (address(inline, "From"), address(inline, "To")) == (CANDIDATE, AGENT)
    body = {**body, "message_kind": "thank_you", "contact_id": "li"}
    body["interview"]["interviewers"][0]["id"] = "li"
    inline = read_eml(client.post("/v1/render", json=body, headers={**tenant.headers, **EML}))
    assert address(inline, "To") == DANA

"""An email address is at most 254 characters with at most 64 octets before the @
(RFC 5321 4.5.3.1), on every route that takes one, and the spec says so."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser

import pytest

from tests.api.helpers import assert_problem, create_interview, interview_body

LOCAL = "a" * 64
AT_LIMIT = f"{LOCAL}@{'b' * 63}.{'c' * 63}.{'d' * 57}.com"  # 254 characters
OVER = AT_LIMIT[:-4] + "x.com"  # 255
LOCAL_OVER = "a" * 65 + "@example.com"
UTF8_LOCAL_OVER = "ö" * 33 + "@example.de"  # 33 characters, 66 octets
NAMED_OVER = "D" * 300 + " <dana@example.com>"  # email-validator keeps the address alone
assert (len(AT_LIMIT), len(OVER)) == (254, 255)

#: Where each route takes an address: (path to the field in the body, what to send).
SLOTS = {
    "candidate": ("candidate_email",),
    "contact": ("interviewers", 0, "email"),
    "agency": ("agency", "contact_email"),
}


def with_email(body: dict, slot: str, value: str) -> dict:
    if slot == "agency":
        body["agency"] = {"name": "Hire Co", "contact_name": "Pat", "contact_email": value}
    elif slot == "contact":
        body["interviewers"][0]["email"] = value
    else:
        body["candidate_email"] = value
    return body


def loc(slot: str, prefix: str) -> str:
    return ".".join([prefix, *map(str, SLOTS[slot])])


def post_interview(client, tenant, slot, value):
    return client.post("/v1/interviews", json=with_email(interview_body(), slot, value), headers=tenant.headers), "body"


def patch_interview(client, tenant, slot, value):
    interview = create_interview(client, tenant)
    body = with_email({"interviewers": [{"name": "Dana Lee"}]}, slot, value)
    if slot != "contact":
        del body["interviewers"]
    return client.patch(f"/v1/interviews/{interview['id']}", json=body, headers=tenant.headers), "body"


def plan(client, tenant, slot, value):
    body = {"interview": with_email(interview_body(), slot, value)}
    return client.post("/v1/plan", json=body, headers=tenant.headers), "body.interview"


def render(client, tenant, slot, value):
    body = {"interview": with_email(interview_body(), slot, value), "message_kind": "follow_up"}
    return client.post("/v1/render", json=body, headers=tenant.headers), "body.interview"


def preview(client, tenant, slot, value):
    template = {"message_kind": "follow_up", "subject": "Hi", "text": "Hi", "html": "<p>Hi</p>"}
    body = {"template": template, "interview": with_email(interview_body(), slot, value)}
    return client.post("/v1/templates/preview", json=body, headers=tenant.headers), "body.interview"


ROUTES = [post_interview, patch_interview, plan, render, preview]


def refused(answer, prefix: str, slot: str) -> str:
    body = assert_problem(answer, 422)
    assert [e["loc"] for e in body["errors"]] == [loc(slot, prefix)], body
    return body["errors"][0]["message"]


@pytest.mark.parametrize("slot", list(SLOTS))
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.__name__)
def test_254_characters_are_taken_and_255_refused_everywhere(client, tenant, route, slot):
    answer, _ = route(client, tenant, slot, AT_LIMIT)
    assert answer.status_code in (200, 201), answer.text
    assert "too long" in refused(*route(client, tenant, slot, OVER), slot)


@pytest.mark.parametrize("slot", list(SLOTS))
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.__name__)
def test_longer_text_and_local_parts_over_64_bytes_are_refused_everywhere(client, tenant, route, slot):
    """email-validator took `Name <address>` of any length up to 2,048 (keeping the address)
    and a local part of any length; the `.eml` could not be built for the latter."""
    assert "at most 254 characters" in refused(*route(client, tenant, slot, NAMED_OVER), slot)
    assert refused(*route(client, tenant, slot, LOCAL_OVER), slot).endswith("at most 64 bytes (RFC 5321; a non-ASCII character takes 2 to 4), not 65")
    assert refused(*route(client, tenant, slot, UTF8_LOCAL_OVER), slot).endswith("not 66")


def test_an_address_at_the_limit_is_stored_and_mailed_as_sent(client, tenant):
    interview = create_interview(client, tenant, candidate_email=AT_LIMIT, interviewers=[{"name": "Dana", "email": "ö" * 32 + "@example.de"}])
    assert interview["candidate_email"] == AT_LIMIT
    dana = interview["interviewers"][0]["id"]
    answer = client.get(f"/v1/interviews/{interview['id']}/messages/thank_you?contact_id={dana}", headers={**tenant.headers, "Accept": "message/rfc822"})
    assert answer.status_code == 200, answer.text
    msg = BytesParser(policy=policy.default).parsebytes(answer.content)
    assert policy.default.header_factory("From", str(msg["From"])).addresses[0].addr_spec == AT_LIMIT
    assert policy.default.header_factory("To", str(msg["To"])).addresses[0].username == "ö" * 32


def test_the_spec_publishes_the_real_limit_for_every_email_field(spec):
    schemas = spec["components"]["schemas"]
    found = []
    for name, schema in schemas.items():
        for field, prop in schema.get("properties", {}).items():
            for variant in prop.get("anyOf", [prop]):
                if variant.get("format") == "idn-email":
                    found.append((name, field, variant.get("maxLength")))
    assert {(name, field) for name, field, _ in found} >= {
        ("InterviewCreate", "candidate_email"), ("InterviewUpdate", "candidate_email"), ("InterviewInline", "candidate_email"),
        ("ContactCreate", "email"), ("ContactPatch", "email"), ("ContactInline", "email"), ("AgencyFields", "contact_email"),
    }  # fmt: skip
    assert {limit for _, _, limit in found} == {254}

"""A language has one code: a template uploaded as `iw` (Hebrew's withdrawn code) is stored
as `he` and found by a request for either, and `iw` and `he` cannot be two templates of
one kind (app.messages.locales.canonical_language)."""

from __future__ import annotations

import pytest
from babel import Locale
from babel.core import LOCALE_ALIASES

from app.messages.locales import LEGACY_LANGUAGES, asked_languages, negotiate_locale, primary_language
from tests.api.helpers import assert_problem, create_interview, interview_body

TEMPLATE = {"message_kind": "thank_you", "subject": "Toda", "text": "Toda {{ interviewer_name }}, {{ interview_date }}."}
PAIRS = [("iw", "he"), ("no", "nb"), ("in", "id"), ("ji", "yi")]


def test_each_legacy_code_is_the_language_babel_reads_it_as():
    for legacy, current in LEGACY_LANGUAGES.items():
        if legacy == "no":  # a macrolanguage, not an alias: Babel's default for it is Bokmål
            assert LOCALE_ALIASES["no"].split("_")[0] == current
        else:
            assert Locale.parse(legacy).language == current, legacy
    assert {legacy: LEGACY_LANGUAGES[legacy] for legacy, _ in PAIRS} == dict(PAIRS)
    assert primary_language("IW-il") == "he" and primary_language("no_NO") == "nb"
    assert asked_languages(None, "iw-IL, ji;q=0.5, en;q=0.1") == ["he", "yi", "en"]
    assert negotiate_locale("de", None) == ("de", None)  # the built-in languages keep their codes


@pytest.mark.parametrize(("legacy", "current"), PAIRS)
def test_a_template_is_stored_under_the_current_code_and_its_twin_is_a_409(client, tenant, legacy, current):
    created = client.post("/v1/templates", json={**TEMPLATE, "locale": legacy.upper()}, headers=tenant.headers)
    assert created.status_code == 201, created.text
    assert created.json()["locale"] == current
    twin = client.post("/v1/templates", json={**TEMPLATE, "locale": current}, headers=tenant.headers)
    assert_problem(twin, 409)
    again = client.post("/v1/templates", json={**TEMPLATE, "locale": legacy}, headers=tenant.headers)
    assert_problem(again, 409)
    replaced = client.put(f"/v1/templates/{created.json()['id']}", json={**TEMPLATE, "locale": legacy}, headers=tenant.headers)
    assert replaced.status_code == 200 and replaced.json()["locale"] == current, replaced.text
    assert [t["locale"] for t in client.get("/v1/templates", headers=tenant.headers).json()["items"]] == [current]


@pytest.mark.parametrize(("uploaded", "asked"), [("iw", "he"), ("he", "iw"), ("no", "nb"), ("nb", "no"), ("in", "id"), ("yi", "ji")])
def test_a_request_in_either_code_finds_the_template(client, tenant, uploaded, asked):
    created = client.post("/v1/templates", json={**TEMPLATE, "locale": uploaded}, headers=tenant.headers)
    assert created.status_code == 201, created.text
    interview = create_interview(client, tenant)
    path = f"/v1/interviews/{interview['id']}/messages/thank_you"
    contact = {"contact_id": interview["interviewers"][0]["id"]}
    for params, headers in [({"locale": asked}, {}), ({"locale": f"{asked}-XX"}, {}), ({}, {"Accept-Language": f"{asked}, en;q=0.1"})]:
        message = client.get(path, params={**contact, **params}, headers={**tenant.headers, **headers}).json()
        assert message["template"] == {"source": "custom", "id": created.json()["id"]}, (params, headers, message)
        assert message["locale"] == created.json()["locale"] and "locale_fallback" not in {w["code"] for w in message["warnings"]}
    body = {"interview": interview_body(), "message_kind": "thank_you", "contact_id": "#1", "locale": asked}
    inline = client.post("/v1/render", json=body, headers=tenant.headers).json()
    assert inline["template"] == {"source": "custom", "id": created.json()["id"]}, inline


def test_a_preview_is_written_under_the_current_code(client, tenant):
    response = client.post("/v1/templates/preview", json={"template": {**TEMPLATE, "locale": "iw"}}, headers=tenant.headers)
    assert response.status_code == 200, response.text
    assert response.json()["locale"] == "he" and "locale_fallback" not in {w["code"] for w in response.json()["warnings"]}

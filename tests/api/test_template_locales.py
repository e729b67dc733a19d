"""A tenant template is stored only in a language its dates, lists and durations
can be formatted in (app.messages.locales.SUPPORTED_LOCALES): an Italian template
would otherwise read "grazie per il colloquio del March 3, 2025"."""

from __future__ import annotations

import pytest

from tests.api.helpers import assert_problem

TEMPLATE = {
    "message_kind": "thank_you",
    "subject": "Merci",
    "text": "Bonjour {{ interviewer_name }}, merci pour l'entretien du {{ interview_date }} ({{ time_since_interview }}).",
}
SUPPORTED = "en, de, fr, es"


def _refused_locale(response, loc: str) -> None:
    body = assert_problem(response, 422)
    assert [e["loc"] for e in body["errors"]] == [loc]
    assert SUPPORTED in body["errors"][0]["message"] and "'it'" in body["errors"][0]["message"]


@pytest.mark.parametrize("locale", ["it", "pt", "de-CH", "xx", "FR", " fr"])
def test_a_template_in_a_language_dates_cannot_be_written_in_is_refused(client, tenant, locale):
    response = client.post("/v1/templates", json={**TEMPLATE, "locale": locale}, headers=tenant.headers)
    body = assert_problem(response, 422)
    assert [e["loc"] for e in body["errors"]] == ["body.locale"] and SUPPORTED in body["errors"][0]["message"]
    assert client.get("/v1/templates", headers=tenant.headers).json()["items"] == []


def test_put_and_preview_refuse_it_too(client, tenant):
    _refused_locale(
        client.post("/v1/templates/preview", json={"template": {**TEMPLATE, "locale": "it"}}, headers=tenant.headers),
        "body.template.locale",
    )
    created = client.post("/v1/templates", json={**TEMPLATE, "locale": "fr"}, headers=tenant.headers)
    assert created.status_code == 201, created.text
    path = f"/v1/templates/{created.json()['id']}"
    _refused_locale(client.put(path, json={**TEMPLATE, "locale": "it"}, headers=tenant.headers), "body.locale")
    assert client.get(path, headers=tenant.headers).json()["locale"] == "fr"


def test_every_supported_locale_is_taken_and_en_is_the_default(client, tenant):
    for locale in ("en", "de", "fr", "es"):
        response = client.post("/v1/templates", json={**TEMPLATE, "locale": locale}, headers=tenant.headers)
        assert response.status_code == 201, response.text
        assert response.json()["locale"] == locale
    default = client.post("/v1/templates", json={**TEMPLATE, "message_kind": "follow_up"}, headers=tenant.headers)
    assert default.status_code == 201 and default.json()["locale"] == "en"


def test_a_preview_is_in_one_language(client, tenant):
    response = client.post("/v1/templates/preview", json={"template": {**TEMPLATE, "locale": "fr"}}, headers=tenant.headers)
    assert response.status_code == 200, response.text
    message = response.json()
    assert message["locale"] == "fr" and "locale_fallback" not in {w["code"] for w in message["warnings"]}
    months = (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    )
    assert any(month in message["text"] for month in months), message["text"]


def test_the_spec_lists_the_template_languages(client):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    for name in ("TemplateCreate", "TemplatePut", "TemplateFields"):
        locale = schemas[name]["properties"]["locale"]
        assert locale["enum"] == ["en", "de", "fr", "es"] and locale["default"] == "en"

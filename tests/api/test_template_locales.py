"""A tenant template is written in one language, and so is everything it is given.

Its values follow its `locale` wherever Babel can write dates, lists and
durations in it (app.messages.locales.knows_language): an Italian template says
"grazie per il colloquio del 3 marzo 2025", never "del March 3, 2025".
"""

from __future__ import annotations

from tests.api.helpers import assert_problem, create_interview

TEMPLATE = {
    "message_kind": "thank_you",
    "subject": "Grazie",
    "text": "Gentile {{ interviewer_name }}, grazie per il colloquio del {{ interview_date }} "
    "({{ time_since_interview }}): {{ topics_phrase }}.",
}
ITALIAN_MONTHS = ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre",
                  "novembre", "dicembre")  # fmt: skip


def test_a_tag_that_is_not_a_language_tag_is_refused(client, tenant):
    for locale in ("de-CH", "english", "e1"):
        response = client.post("/v1/templates", json={**TEMPLATE, "locale": locale}, headers=tenant.headers)
        body = assert_problem(response, 422)
        assert body["errors"] == [{"loc": "body.locale", "message": "must be a language tag of two or three letters, e.g. en or it"}]
    assert client.get("/v1/templates", headers=tenant.headers).json()["items"] == []


def test_a_template_in_a_language_babel_does_not_know_says_its_dates_are_in_another(client, tenant):
    created = client.post("/v1/templates", json={**TEMPLATE, "locale": "xx"}, headers=tenant.headers)
    assert created.status_code == 201, created.text
    interview = create_interview(client, tenant)
    response = client.get(
        f"/v1/interviews/{interview['id']}/messages/thank_you",
        params={"contact_id": interview["interviewers"][0]["id"]},
        headers={**tenant.headers, "Accept-Language": "xx, de;q=0.5"},
    )
    assert response.status_code == 200, response.text
    message = response.json()
    assert message["template"]["source"] == "custom" and message["locale"] == "de"
    [warning] = [w for w in message["warnings"] if w["code"] == "locale_fallback"]
    assert "'xx'" in warning["message"] and "'de'" in warning["message"]
    assert "drei Tage" in message["text"], message["text"]


def test_every_built_in_language_and_others_are_taken_and_en_is_the_default(client, tenant):
    for locale in ("en", "de", "fr", "es", "it", "pt", "nl", "ja"):
        response = client.post("/v1/templates", json={**TEMPLATE, "locale": locale}, headers=tenant.headers)
        assert response.status_code == 201, response.text
        assert response.json()["locale"] == locale
    upper = client.post("/v1/templates", json={**TEMPLATE, "message_kind": "linkedin_note", "locale": " DE "}, headers=tenant.headers)
    assert upper.status_code == 201 and upper.json()["locale"] == "de", upper.text  # a tag is case-insensitive
    default = client.post("/v1/templates", json={**TEMPLATE, "message_kind": "follow_up"}, headers=tenant.headers)
    assert default.status_code == 201 and default.json()["locale"] == "en"


def test_an_italian_template_gets_italian_dates_lists_and_durations(client, tenant):
    interview = create_interview(client, tenant, topics=["Kafka", "dbt", "Airflow"])
    created = client.post("/v1/templates", json={**TEMPLATE, "locale": "it"}, headers=tenant.headers)
    assert created.status_code == 201, created.text
    dana = interview["interviewers"][0]["id"]
    response = client.get(
        f"/v1/interviews/{interview['id']}/messages/thank_you",
        params={"contact_id": dana, "locale": "it"},
        headers=tenant.headers,
    )
    assert response.status_code == 200, response.text
    message = response.json()
    assert message["locale"] == "it" and message["template"]["source"] == "custom"
    assert "locale_fallback" not in {w["code"] for w in message["warnings"]}
    text = message["text"]
    assert any(month in text for month in ITALIAN_MONTHS), text
    assert "Kafka, dbt e Airflow" in text and "3 giorni" in text, text


def test_a_preview_is_in_one_language(client, tenant):
    response = client.post("/v1/templates/preview", json={"template": {**TEMPLATE, "locale": "it"}}, headers=tenant.headers)
    assert response.status_code == 200, response.text
    message = response.json()
    assert message["locale"] == "it" and "locale_fallback" not in {w["code"] for w in message["warnings"]}
    assert any(month in message["text"] for month in ITALIAN_MONTHS), message["text"]


def test_a_busy_sandbox_is_a_503_to_retry_not_a_refused_template(client, tenant, monkeypatch):
    from app.messages import sandbox

    closed = sandbox.SandboxPool(size=1)
    closed.close()
    monkeypatch.setattr(sandbox, "get_pool", lambda: closed)
    response = client.post("/v1/templates", json={**TEMPLATE, "locale": "it"}, headers=tenant.headers)
    body = assert_problem(response, 503)
    assert response.headers["Retry-After"].isdigit()
    assert body["detail"] == "The server is busy: the template sandbox is shut down; try again."
    assert client.get("/v1/templates", headers=tenant.headers).json()["items"] == []

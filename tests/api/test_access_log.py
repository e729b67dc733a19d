"""The access log: one line per request, without the query string, with the status, duration and request id."""

from __future__ import annotations

import logging
import re

import pytest

from app.server import log_config
from tests.api.helpers import create_interview

LINE = re.compile(r"^(?P<method>[A-Z]+) (?P<path>\S+) (?P<status>\d{3}) (?P<ms>\d+\.\d) ms (?P<id>\S+)$")


@pytest.fixture
def access(caplog):
    caplog.set_level(logging.INFO, logger="followup.access")
    return caplog


def lines(caplog) -> list[dict[str, str]]:
    found = [LINE.match(r.getMessage()) for r in caplog.records if r.name == "followup.access"]
    assert all(found), [r.getMessage() for r in caplog.records if r.name == "followup.access"]
    return [m.groupdict() for m in found]


def test_a_request_is_one_line_without_its_query_string(client, tenant, access):
    interview = create_interview(client, tenant, external_ref="ATS-4711")
    access.clear()
    r = client.get("/v1/interviews", params={"external_ref": "ATS-4711", "company_name": "Acme"}, headers=tenant.headers)
    assert r.status_code == 200
    [line] = lines(access)
    assert (line["method"], line["path"], line["status"]) == ("GET", "/v1/interviews", "200")
    assert line["id"] == r.headers["x-request-id"]
    assert "ATS-4711" not in access.text and "Acme" not in access.text
    access.clear()
    # the fast lane's answers, HEAD and errors are logged alike
    path = f"/v1/interviews/{interview['id']}/actions"
    for method, status in (("GET", 200), ("HEAD", 200)):
        assert client.request(method, path, headers=tenant.headers).status_code == status
    assert client.get("/v1/interviews/nope", headers=tenant.headers).status_code == 404
    assert client.get("/v1/interviews").status_code == 401
    assert [(x["method"], x["path"], x["status"]) for x in lines(access)] == [
        ("GET", path, "200"), ("HEAD", path, "200"), ("GET", "/v1/interviews/nope", "404"), ("GET", "/v1/interviews", "401"),
    ]


@pytest.mark.parametrize("sent", ["abc def", "abc\tdef", "x" * 201, ""])
def test_a_request_id_that_would_forge_a_log_field_is_replaced(client, access, sent):
    r = client.get("/healthz", headers={"X-Request-ID": sent})
    assert r.headers["x-request-id"] != sent and re.fullmatch(r"[0-9a-f]{32}", r.headers["x-request-id"])
    [line] = lines(access)
    assert line["id"] == r.headers["x-request-id"]


def test_a_sane_request_id_is_kept_and_logged(client, access):
    r = client.get("/healthz", headers={"X-Request-ID": "req-42/abc"})
    assert r.headers["x-request-id"] == "req-42/abc"
    assert lines(access)[0]["id"] == "req-42/abc"


def test_a_long_path_is_cut(client, access):
    client.get("/" + "a" * 1000)
    assert len(lines(access)[0]["path"]) == 200


def test_served_processes_log_the_service_and_not_uvicorns_access_lines():
    config = log_config("warning")
    assert config["loggers"]["followup"]["level"] == "WARNING"
    assert config["loggers"]["followup.access"]["handlers"] == ["followup_access"]
    assert config["handlers"]["followup_access"]["stream"] == "ext://sys.stdout"


@pytest.mark.parametrize(
    ("sent", "logged"),
    [
        ("/v1/%0AGET%20/v1/x%20200%200.1%20ms%20forged", "/v1/%0AGET%20/v1/x%20200%200.1%20ms%20forged"),
        ("/v1/a%0Db%09c%E2%80%A8d", "/v1/a%0Db%09c%E2%80%A8d"),
    ],
)
def test_a_path_is_one_field_of_one_line_whatever_it_decodes_to(client, access, sent, logged):
    """scope["path"] is percent-decoded: a line break or a space in it would forge a line or a field."""
    assert client.get(sent).status_code == 404
    [line] = lines(access)
    assert line["path"] == logged
    assert "\n" not in access.text.strip()


def test_an_error_logged_while_answering_names_the_request(client, tenant, monkeypatch, caplog):
    """The access line carried the id, the 500's traceback did not: an operator could not tie them."""
    from app.api.request_context import RequestIdFilter
    from app.services import interviews as interviews_service

    def broken(**_kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(interviews_service, "list_interviews", broken)
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.INFO):
        generated = client.get("/v1/interviews", headers=tenant.headers)
        sent = client.get("/v1/interviews", headers={**tenant.headers, "X-Request-ID": "trace-me-2"})
        assert (generated.status_code, sent.status_code) == (500, 500)
        logging.getLogger("followup.jobs").warning("outside any request")
    errors = [r for r in caplog.records if r.name == "followup.api" and r.exc_info]
    assert [r.request_id for r in errors] == [generated.headers["x-request-id"], "trace-me-2"]
    access = [r for r in caplog.records if r.name == "followup.access"]
    assert [r.request_id for r in access] == [generated.headers["x-request-id"], "trace-me-2"]
    assert [r.request_id for r in caplog.records if r.name == "followup.jobs"] == ["-"]


@pytest.fixture
def served_logging():
    """Configures the loggers as `followup serve` does (app.server.log_config) when called,
    inside the test: the handlers bind the sys.stderr of that moment, which capsys replaces
    for each phase. They are put back afterwards for the tests that read records through caplog."""
    import logging.config

    config = log_config("info")
    names = ["", *config["loggers"]]
    saved = {
        n: (lg.handlers[:], lg.filters[:], lg.level, lg.propagate, lg.disabled) for n in names for lg in [logging.getLogger(n)]
    }
    yield lambda: logging.config.dictConfig(config)
    for name, (handlers, filters, level, propagate, disabled) in saved.items():
        logger = logging.getLogger(name)
        logger.handlers[:], logger.filters[:] = handlers, filters
        logger.level, logger.propagate, logger.disabled = level, propagate, disabled


def test_served_processes_print_the_request_id_on_the_services_lines(served_logging, capsys):
    from app.api import request_context

    served_logging()
    token = request_context.current.set("req-7")
    try:
        logging.getLogger("followup.api").error("something broke")
    finally:
        request_context.current.reset(token)
    logging.getLogger("followup.jobs").warning("a job line")
    err = capsys.readouterr().err
    assert "something broke [request req-7]" in err and "a job line [request -]" in err


def test_an_unforeseen_error_is_printed_once_with_its_request_id(served_logging, capsys):
    """uvicorn logs the error the app raised again after its 500; the service has logged it already."""
    from app.api import request_context
    from app.api.problems import unexpected

    served_logging()
    answered, crashed = RuntimeError("answered as a 500"), RuntimeError("outside the app")
    token = request_context.current.set("req-9")
    try:
        assert unexpected(answered).status_code == 500
    finally:
        request_context.current.reset(token)
    uvicorn_log = logging.getLogger("uvicorn.error")  # as uvicorn's protocols call it
    uvicorn_log.error("Exception in ASGI application\n", exc_info=answered)
    uvicorn_log.error("Exception in ASGI application\n", exc_info=crashed)
    err = capsys.readouterr().err
    assert "unhandled error [request req-9]" in err
    assert err.count("RuntimeError: answered as a 500") == 1
    assert err.count("Exception in ASGI application") == 1 and "RuntimeError: outside the app" in err

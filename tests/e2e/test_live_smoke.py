"""The real command serves the API on both databases."""

from tests.live import create_tenant_key, live_server


def test_serve_and_call(database_url, tmp_path):
    key = create_tenant_key(database_url, "acme")
    assert key.startswith("fu_")
    import httpx

    with live_server(database_url, log_dir=tmp_path) as server:
        r = httpx.get(server.url + "/v1/interviews", headers={"Authorization": f"Bearer {key}"})
        assert r.status_code == 200, r.text
        assert r.json() == {"items": [], "next_cursor": None}
        r = httpx.get(server.url + "/v1/interviews")
        assert r.status_code == 401
        assert r.headers["content-type"] == "application/problem+json"

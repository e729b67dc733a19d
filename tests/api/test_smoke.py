def test_smoke(client, tenant):
    body = {
        "candidate_name": "Alex Kim",
        "candidate_email": "alex@example.com",
        "job_title": "Data Engineer",
        "company_name": "Acme",
        "starts_at": "2026-04-07T10:00:00+02:00",
        "timezone": "Europe/Berlin",
        "format": "virtual",
        "interviewers": [{"name": "Dana Lee", "email": "dana@acme.example", "role": "hiring_manager", "rapport": "good"}],
        "topics": ["streaming pipelines"],
        "decision_timeline_days": 10,
    }
    r = client.post("/v1/interviews", json=body, headers=tenant.headers)
    print(r.status_code, r.text[:2000])
    assert r.status_code == 201
    iid = r.json()["id"]
    r = client.get(f"/v1/interviews/{iid}/actions", headers=tenant.headers)
    print(r.status_code, r.text[:3000])
    assert r.status_code == 200
    r = client.get("/v1/actions?kind=send_thank_you,wait,send_follow_up&at=2026-04-08T10:00:00Z", headers=tenant.headers)
    print(r.status_code, r.text[:3000])
    assert r.status_code == 200

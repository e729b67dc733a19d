"""A sample interview for template previews sent without one."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.domain.model import Agency, Contact, ContactRole, Interview, InterviewFormat, Rapport

SAMPLE_CONTACT_ID = "sample-contact"


def sample_interview(now: datetime) -> Interview:
    """Dana Lee interviewed Alex Kim a week ago, with a recruiter in the loop."""
    return Interview(
        id="sample",
        candidate_name="Alex Kim",
        candidate_email="alex.kim@example.com",
        job_title="Senior Data Engineer",
        company_name="Acme Analytics",
        starts_at=(now - timedelta(days=7)).replace(microsecond=0),
        duration_minutes=45,
        timezone="Europe/Berlin",
        format=InterviewFormat.VIRTUAL,
        interviewers=(
            Contact(
                id=SAMPLE_CONTACT_ID,
                name="Dana Lee",
                email="dana.lee@acme.example",
                role=ContactRole.HIRING_MANAGER,
                rapport=Rapport.GOOD,
            ),
            Contact(id="sample-recruiter", name="Sam Ortiz", email="sam.ortiz@acme.example", role=ContactRole.RECRUITER),
        ),
        topics=("the move from nightly batches to streaming pipelines", "on-call practices"),
        missed_points="I did not mention my experience migrating a 20 TB warehouse.",
        decision_timeline_days=10,
        agency=Agency(name="TalentBridge", contact_name="Jo Becker", contact_email="jo@talentbridge.example"),
    )

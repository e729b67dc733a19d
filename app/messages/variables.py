"""The template variables: one flat dict, the same for built-in and tenant templates.

`VARIABLES` maps each name to a one-line description; the API reuses it for the
OpenAPI description of `/v1/templates` and the README. Names follow the API's
fields. Every variable is always present in the context (StrictUndefined makes a
misspelt name fail loudly); optional values are `None`, so templates guard them
with `{% if ... %}`. Printing a `None` is an error too: no "Dear ," ever goes out.

| name | type | meaning |
|---|---|---|
"""

from __future__ import annotations

#: name -> description (kept in the order a template author reads them).
VARIABLES: dict[str, str] = {
    "candidate_name": "The candidate's name, as written on the interview; every message is signed with it.",
    "candidate_email": "The candidate's email address, or None.",
    "job_title": "The role applied for.",
    "company_name": "The hiring company.",
    "interviewer_name": (
        "Name of the contact the message is addressed to (the interviewer, recruiter or hiring "
        "manager); None when it goes to the agency contact or to nobody known."
    ),
    "recipient_name": "Name of the recipient (the contact, or the agency contact for agency follow-ups), or None.",
    "recipient_email": "Email address of the recipient, or None.",
    "topics": "List of the specific topics discussed (possibly empty).",
    "topic": "The first topic discussed, or None.",
    "topics_phrase": "Up to three topics joined as a localised phrase ('A, B, and C'), or None.",
    "missed_points": "A point the candidate feels they missed, or None.",
    "interview_date": "The interview's date, localised and in the interview's timezone ('March 3, 2025').",
    "interview_format": "in_person, virtual, phone or ai.",
    "is_ai_interview": "True when the format is ai or nobody who ran the conversation was human (rule 2).",
    "days_since_interview": "Calendar days from the interview to the render time, in the interview's timezone.",
    "weeks_since_interview": "Whole weeks since the interview (days_since_interview // 7).",
    "time_since_interview": (
        "How long since the interview in the message's language, as a person writes it: days up to "
        "ten ('five days'), weeks beyond ('two weeks', 'over two weeks', 'almost three weeks')."
    ),
    "decision_timeline_days": "The decision timeline the interviewer mentioned, in days, or None.",
    "agency_name": "The recruitment agency's name, or None.",
    "agency_contact_name": "The agency contact's name, or None.",
    "is_agency": "True when the message goes to the agency contact (rule 9).",
    "follow_ups_sent": "How many follow-ups were recorded as sent up to the render time.",
    "linkedin_max_chars": "The LinkedIn note limit in characters (100-300).",
    "locale": "The message's language: en, de, fr or es.",
    "message_kind": "thank_you, follow_up, linkedin_note or rejection_reply.",
}

__doc__ = (__doc__ or "") + "".join(
    f"| `{name}` | | {description} |\n" for name, description in VARIABLES.items()
)

#: Names a tenant template may read besides the variables (capped `range`).
TEMPLATE_GLOBALS: frozenset[str] = frozenset({"range"})

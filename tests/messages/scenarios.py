"""Interviews and variants shared by the golden tests and the benchmark."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from app.domain.model import (
    Agency,
    Contact,
    ContactRole,
    Event,
    EventType,
    Interview,
    InterviewFormat,
    MessageKind,
    Rapport,
)

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2025, 3, 3, 10, 0, tzinfo=BERLIN)

DANA = Contact(
    id="c-dana",
    name="Dana Lee",
    email="dana.lee@acme.example",
    role=ContactRole.HIRING_MANAGER,
    rapport=Rapport.GOOD,
    linkedin_url="https://www.linkedin.com/in/danalee",
)
SAM = Contact(id="c-sam", name="Sam Ortiz", email="sam@acme.example", role=ContactRole.RECRUITER)
AVA = Contact(id="c-ava", name="Ava (AI interviewer)", role=ContactRole.AI, is_human=False)

TYPICAL = Interview(
    id="i-1",
    candidate_name="Jordan Müller",
    candidate_email="jordan@example.org",
    job_title="Senior Data Engineer",
    company_name="Acme Analytics",
    starts_at=START,
    duration_minutes=60,
    timezone="Europe/Berlin",
    format=InterviewFormat.VIRTUAL,
    interviewers=(DANA, SAM),
    topics=("the migration of the event pipeline to Kafka",),
    decision_timeline_days=10,
)

AT = START + timedelta(days=15)  # "two weeks" after the interview


# What the candidate would type, in the language they write their messages in.
_WORDS = {
    "en": {
        "pipeline": "the migration of the event pipeline to Kafka",
        "three": ("data quality checks", "on-call rotations", "the move to a lakehouse"),
        "ai": "SQL window functions",
        "missed": "I led the move of our billing reports to dbt, which cut their run time from hours to minutes.",
    },
    "de": {
        "pipeline": "die Migration der Event-Pipeline auf Kafka",
        "three": ("Datenqualitätsprüfungen", "Rufbereitschaften", "den Umstieg auf ein Lakehouse"),
        "ai": "SQL-Fensterfunktionen",
        "missed": "Ich habe die Umstellung unserer Abrechnungsberichte auf dbt geleitet und ihre Laufzeit von Stunden auf Minuten verkürzt.",
    },
    "fr": {
        "pipeline": "la migration du pipeline d'événements vers Kafka",
        "three": ("les contrôles de qualité des données", "les astreintes", "le passage à un lakehouse"),
        "ai": "les fonctions de fenêtrage SQL",
        "missed": "J'ai piloté la migration de nos rapports de facturation vers dbt, ce qui a réduit leur temps d'exécution de plusieurs heures à quelques minutes.",
    },
    "es": {
        "pipeline": "la migración del pipeline de eventos a Kafka",
        "three": ("los controles de calidad de datos", "las guardias", "el paso a un lakehouse"),
        "ai": "las funciones de ventana de SQL",
        "missed": "Dirigí la migración de nuestros informes de facturación a dbt, lo que redujo su tiempo de ejecución de horas a minutos.",
    },
}


def variants(locale: str = "en") -> dict[str, tuple[Interview, tuple[Event, ...]]]:
    """name -> (interview, events): the cases the golden files cover."""
    words = _WORDS[locale]
    typical = replace(TYPICAL, topics=(words["pipeline"],))
    rejected = (
        Event(EventType.THANK_YOU_SENT, START + timedelta(hours=20), contact_id="c-dana"),
        Event(EventType.FOLLOW_UP_SENT, START + timedelta(days=8)),
        Event(EventType.FOLLOW_UP_SENT, START + timedelta(days=11)),
        Event(EventType.REJECTION_RECEIVED, START + timedelta(days=13), contact_id="c-sam"),
        Event(EventType.FOLLOW_UP_SENT, START + timedelta(days=20)),  # after AT: ignored
    )
    return {
        "typical": (replace(typical, missed_points=words["missed"]), ()),
        "no_topic": (replace(typical, topics=()), ()),
        "three_topics": (
            replace(typical, topics=words["three"]),
            (Event(EventType.FOLLOW_UP_SENT, START + timedelta(days=8)),),
        ),
        "ai_interview": (
            replace(typical, format=InterviewFormat.AI, interviewers=(AVA, SAM), topics=(words["ai"],)),
            (),
        ),
        "agency": (
            replace(typical, agency=Agency(name="Northstar Talent", contact_name="Priya Natarajan", contact_email="priya@northstar.example")),
            (Event(EventType.REJECTION_RECEIVED, START + timedelta(days=9)),),
        ),
        "rejection_after_two_follow_ups": (typical, rejected),
    }


KINDS = (MessageKind.THANK_YOU, MessageKind.FOLLOW_UP, MessageKind.LINKEDIN_NOTE, MessageKind.REJECTION_REPLY)


def contact_for(kind: MessageKind, interview: Interview) -> str | None:
    """The contact to address thank-yous and notes to: the first human."""
    if kind in (MessageKind.THANK_YOU, MessageKind.LINKEDIN_NOTE):
        return next(c.id for c in interview.interviewers if c.is_human)
    return None

"""Built-in LinkedIn notes always fit the limit; names and company survive (rule 6)."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.model import InterviewFormat
from app.messages.linkedin import ELLIPSIS, note_length, truncate
from app.messages.locales import SUPPORTED_LOCALES
from app.messages.render import render_message
from tests.messages.scenarios import AT, AVA, DANA, SAM, TYPICAL

names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=200
).filter(lambda s: s.strip())
long_names = st.one_of(names, st.text(alphabet="Wé😀 ", min_size=150, max_size=200).filter(lambda s: s.strip()))


def _prefix_survives(original: str, text: str) -> bool:
    head = original.strip()[:3].rstrip()
    return head in text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    contact=long_names,
    company=long_names,
    candidate=long_names,
    title=long_names,
    topic=st.text(min_size=0, max_size=300),
    limit=st.integers(min_value=100, max_value=300),
    locale=st.sampled_from(SUPPORTED_LOCALES),
    ai=st.booleans(),
)
def test_builtin_note_always_fits(contact, company, candidate, title, topic, limit, locale, ai):
    dana = replace(DANA, name=contact)
    interview = replace(
        TYPICAL, candidate_name=candidate, company_name=company, job_title=title,
        topics=(topic,) if topic.strip() else (),
        interviewers=(AVA, dana) if ai else (dana, SAM),
        format=InterviewFormat.AI if ai else InterviewFormat.VIRTUAL,
    )
    note = render_message(interview=interview, events=(), message_kind="linkedin_note", contact_id=dana.id,
                          at=AT, locale=locale, linkedin_max_chars=limit)
    assert note_length(note.text) <= limit
    assert not any(w.code == "linkedin_note_too_long" for w in note.warnings)
    assert _prefix_survives(contact, note.text)
    assert _prefix_survives(company, note.text)


def test_max_length_fields_at_the_smallest_limit():
    interview = replace(TYPICAL, candidate_name="C" * 200, company_name="Acme" + "x" * 196, job_title="T" * 200,
                        interviewers=(replace(DANA, name="Dana" + "y" * 196),), topics=("z" * 300,))
    for locale in SUPPORTED_LOCALES:
        for limit in (100, 150, 300):
            note = render_message(interview=interview, events=(), message_kind="linkedin_note",
                                  contact_id=DANA.id, at=AT, locale=locale, linkedin_max_chars=limit)
            assert note_length(note.text) <= limit
            assert "Dana" in note.text and "Acme" in note.text and ELLIPSIS in note.text


def test_short_fields_keep_the_full_wording():
    note = render_message(interview=TYPICAL, events=(), message_kind="linkedin_note", contact_id=DANA.id,
                          at=AT, locale="en", linkedin_max_chars=300)
    assert "especially about the migration" in note.text and "whatever the outcome" in note.text


def test_topic_is_dropped_before_anything_else():
    note = render_message(interview=TYPICAL, events=(), message_kind="linkedin_note", contact_id=DANA.id,
                          at=AT, locale="en", linkedin_max_chars=200)
    assert "Senior Data Engineer" in note.text and "Kafka" not in note.text


def test_truncate_counts_utf16_units():
    assert note_length("😀") == 2
    assert truncate("😀😀😀", 4) == "😀" + ELLIPSIS
    assert truncate("abc", 3) == "abc"


def test_a_shortened_company_ends_its_sentence_without_a_second_full_stop():
    """ "our talk at Internationale…. Let's" reads as a typo: the ellipsis ends the sentence."""
    company = "Internationale Versicherungs- und Rückversicherungsgesellschaft Aktiengesellschaft"
    interview = replace(TYPICAL, company_name=company, interviewers=(replace(DANA, name="Maximiliane von Hohenzollern"),))
    for locale in SUPPORTED_LOCALES:
        note = render_message(interview=interview, events=(), message_kind="linkedin_note", contact_id=DANA.id,
                              at=AT, locale=locale, linkedin_max_chars=100)
        assert note_length(note.text) <= 100
        assert "Internationa" in note.text and ELLIPSIS in note.text
        assert ELLIPSIS + "." not in note.text, note.text

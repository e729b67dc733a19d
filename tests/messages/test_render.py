"""render_message: recipients, applicability, languages, warnings, strictness."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from html import unescape

import pytest
from jinja2 import UndefinedError

from app.domain.model import Agency, Channel, Contact, ContactRole, Event, EventType, InterviewFormat, MessageKind
from app.messages.context import build_context
from app.messages.environment import builtin_template, get_environment
from app.messages.errors import MessageNotApplicable, MessageRequestError
from app.messages.locales import join_phrase, long_date, negotiate_locale, parse_accept_language, time_since
from app.messages.render import render_message
from app.messages.types import TemplateSourceKind
from app.messages.variables import VARIABLES
from tests.messages.scenarios import AT, AVA, DANA, SAM, START, TYPICAL


def render(kind, interview=TYPICAL, events=(), contact_id=None, at=AT, locale="en", **kw):
    return render_message(
        interview=interview, events=events, message_kind=kind, contact_id=contact_id, at=at, locale=locale, **kw
    )


def codes(message) -> set[str]:
    return {w.code.value for w in message.warnings}


# -- recipients and applicability -------------------------------------------------

@pytest.mark.parametrize("kind", ["thank_you", "linkedin_note"])
def test_contact_id_is_required_for_personal_messages(kind):
    with pytest.raises(MessageRequestError, match=f"contact_id is required for {kind} messages"):
        render(kind)


@pytest.mark.parametrize("locale", ["en", "de", "fr", "es"])
def test_rule_2s_contactless_thank_you_renders_to_nobody_and_asks_for_a_contact(locale):
    """An AI interview with no human contact: the plan's one thank-you has no contact, and its message renders."""
    ai_only = replace(TYPICAL, format=InterviewFormat.AI, interviewers=(AVA,))
    message = render("thank_you", interview=ai_only, locale=locale)
    assert message.recipient is None and message.channel is Channel.EMAIL
    [warning] = message.warnings
    assert warning.code.value == "no_recipient" and "no name or address" in warning.message
    greeting = {"en": "Hello,", "de": "Guten Tag,", "fr": "Bonjour,", "es": "Hola:"}[locale]
    assert message.text.startswith(greeting + "\n") and message.html.startswith(f"<p>{greeting}</p>")
    assert "None" not in message.text and "None" not in message.html
    nobody = replace(ai_only, interviewers=())  # format ai, no contact at all: the same
    assert render("thank_you", interview=nobody, locale=locale).recipient is None


def test_a_thank_you_with_nobody_recorded_renders_to_nobody_in_the_human_wording():
    """Rule 2's contactless thank-you when no contact is recorded: no recipient, and no word of an AI interview."""
    nobody = replace(TYPICAL, interviewers=())
    message = render("thank_you", interview=nobody)
    assert message.recipient is None
    assert [w.code.value for w in message.warnings] == ["no_recipient"]
    assert message.text.startswith("Hello,\n")
    assert "Thank you for taking the time to speak with me" in message.text
    assert "AI" not in message.text and "AI" not in message.html


@pytest.mark.parametrize(
    ("kind", "interview"),
    [
        ("thank_you", replace(TYPICAL, format=InterviewFormat.AI, interviewers=(AVA, SAM))),  # a human is known
        ("linkedin_note", replace(TYPICAL, format=InterviewFormat.AI, interviewers=(AVA,))),
    ],
)
def test_a_thank_you_needs_its_contact_outside_rule_2s_case(kind, interview):
    with pytest.raises(MessageRequestError, match=f"contact_id is required for {kind} messages"):
        render(kind, interview=interview)


def test_unknown_contact_is_a_request_error():
    with pytest.raises(MessageRequestError, match="No contact"):
        render("thank_you", contact_id="nope")


def test_unknown_kind_is_a_request_error():
    with pytest.raises(MessageRequestError, match="Unknown message kind"):
        render("postcard")


@pytest.mark.parametrize("kind", ["thank_you", "linkedin_note"])
def test_ai_interviewer_gets_no_thank_you_or_note(kind):
    interview = replace(TYPICAL, format=InterviewFormat.AI, interviewers=(AVA, SAM))
    with pytest.raises(MessageNotApplicable, match="AI interviewer"):
        render(kind, interview=interview, contact_id=AVA.id)


def test_non_human_contact_is_refused_whatever_its_role():
    bot = Contact(id="bot", name="Screening bot", role=ContactRole.RECRUITER, is_human=False)
    with pytest.raises(MessageNotApplicable):
        render("thank_you", interview=replace(TYPICAL, interviewers=(bot,)), contact_id="bot")


def test_rejection_reply_needs_a_rejection_up_to_at():
    with pytest.raises(MessageNotApplicable, match="No rejection"):
        render("rejection_reply")
    later = (Event(EventType.REJECTION_RECEIVED, AT + timedelta(days=1)),)
    with pytest.raises(MessageNotApplicable):
        render("rejection_reply", events=later)  # only events at or before `at` count
    message = render("rejection_reply", events=later, at=AT + timedelta(days=2))
    assert message.recipient.name == DANA.name  # no contact named: the follow-up recipient


def test_rejection_reply_goes_to_the_contact_named_on_the_rejection():
    events = (Event(EventType.REJECTION_RECEIVED, START + timedelta(days=3), contact_id=SAM.id),)
    assert render("rejection_reply", events=events).recipient.name == SAM.name


def test_follow_up_goes_to_hiring_manager_else_agency():
    assert render("follow_up").recipient.email == DANA.email
    agency = replace(TYPICAL, agency=Agency(name="Northstar", contact_name="Priya", contact_email="p@n.example"))
    message = render("follow_up", interview=agency)
    assert message.recipient.name == "Priya" and "Thank you again for putting me forward" in message.text
    direct = render("follow_up", interview=agency, to_agency=False)
    assert direct.recipient.name == DANA.name


def test_follow_up_without_anyone_to_write_to_warns():
    nobody = replace(TYPICAL, interviewers=(AVA,), format=InterviewFormat.AI)
    message = render("follow_up", interview=nobody)
    assert message.recipient is None and "no_recipient" in codes(message)
    assert message.text.startswith("Hello,")


def test_missing_email_warns():
    no_email = replace(TYPICAL, interviewers=(replace(DANA, email=None),))
    assert "no_recipient_email" in codes(render("thank_you", interview=no_email, contact_id=DANA.id))
    assert "no_recipient_email" not in codes(render("linkedin_note", interview=no_email, contact_id=DANA.id))


def test_generic_warning_only_without_topic():
    assert "generic_message" in codes(render("thank_you", interview=replace(TYPICAL, topics=()), contact_id=DANA.id))
    assert "generic_message" in codes(render("thank_you", interview=replace(TYPICAL, topics=(" ",)), contact_id=DANA.id))
    assert not codes(render("thank_you", contact_id=DANA.id))


def test_rendered_message_shape():
    message = render("thank_you", contact_id=DANA.id)
    assert message.kind is MessageKind.THANK_YOU and message.channel is Channel.EMAIL
    assert message.template_source is TemplateSourceKind.BUILTIN and message.template_id is None
    assert "Senior Data Engineer" in message.subject and message.text.endswith("Jordan Müller")
    note = render("linkedin_note", contact_id=DANA.id)
    assert note.channel is Channel.LINKEDIN and note.subject is None and note.html.startswith("<p>")


def test_naive_at_is_refused():
    with pytest.raises(MessageRequestError):
        render("follow_up", at=datetime(2025, 3, 20, 10, 0))


@pytest.mark.parametrize("limit", [99, 301])
def test_linkedin_limit_outside_the_policy_range(limit):
    with pytest.raises(MessageRequestError):
        render("linkedin_note", contact_id=DANA.id, linkedin_max_chars=limit)


# -- languages ---------------------------------------------------------------------

def test_explicit_locale_wins_over_accept_language():
    message = render("follow_up", locale="de", accept_language="fr;q=1, en;q=0.5")
    assert message.locale == "de" and message.text.startswith("Guten Tag")


def test_accept_language_quality_values_pick_the_language():
    message = render("follow_up", locale=None, accept_language="ja;q=0.9, es;q=0.8, fr;q=0.5, de;q=0")
    assert message.locale == "es" and not message.warnings


def test_unknown_locale_falls_back_to_english_with_a_warning():
    message = render("follow_up", locale="pt-BR")
    assert message.locale == "en" and codes(message) == {"locale_fallback"}
    assert render("follow_up", locale=None, accept_language="ja, zh;q=0.7").locale == "en"
    assert "locale_fallback" in codes(render("follow_up", locale=None, accept_language="ja"))


@pytest.mark.parametrize(
    ("locale", "accept", "expected"),
    [
        (None, None, ("en", False)),
        ("fr_CA", None, ("fr", False)),
        ("DE", None, ("de", False)),
        (None, "*", ("en", False)),
        (None, "es-MX,es;q=0.9", ("es", False)),
        (None, "de;q=abc, fr;q=0.1", ("fr", False)),
        (None, "xx;q=1", ("en", True)),
        ("", "de", ("de", False)),
        (None, "en;q=0, de;q=0", ("en", True)),  # every language refused, English too: said so
        (None, "*;q=0", ("en", True)),
        # a header that names nothing validly refuses nothing: English without a note, as
        # before (the note would say that German, asked for with a broken q, is not written)
        (None, "de;q=abc", ("en", False)),
        (None, "en;q=1.5", ("en", False)),
        (None, ",", ("en", False)),
        (None, "de;q=abc, en;q=0", ("en", True)),
    ],
)
def test_negotiate_locale(locale, accept, expected):
    chosen, note = negotiate_locale(locale, accept)
    assert (chosen, note is not None) == expected


def test_parse_accept_language_orders_by_quality_then_position():
    assert parse_accept_language("a;q=0.5, b, c;q=0.5, d;q=0") == ["b", "a", "c"]


def test_dates_are_localised_in_the_interview_zone():
    interview = replace(TYPICAL, format=InterviewFormat.AI, interviewers=(AVA, SAM),
                        starts_at=datetime(2025, 3, 3, 23, 30, tzinfo=START.tzinfo))
    text = render("thank_you", interview=interview, contact_id=SAM.id, locale="de").text
    assert "Am 3. März 2025" in text


@pytest.mark.parametrize(
    ("days", "en", "de"),
    [
        (0, "less than a day", "weniger als einen Tag"),
        (1, "a day", "einen Tag"),
        (7, "seven days", "sieben Tage"),
        (10, "ten days", "zehn Tage"),
        (11, "over a week", "über eine Woche"),
        (13, "almost two weeks", "fast zwei Wochen"),
        (14, "two weeks", "zwei Wochen"),
        (15, "two weeks", "zwei Wochen"),
        (17, "over two weeks", "über zwei Wochen"),
        (20, "almost three weeks", "fast drei Wochen"),
        (91, "13 weeks", "13 Wochen"),
    ],
)
def test_time_since_is_written_as_a_person_would(days, en, de):
    assert time_since(days, "en") == en and time_since(days, "de") == de


@pytest.mark.parametrize(
    ("days", "it", "nl"),
    [
        (10, "10 giorni", "10 dagen"),
        (11, "1 settimana", "1 week"),
        (13, "1 settimana", "1 week"),
        (14, "2 settimane", "2 weken"),
        (18, "2 settimane", "2 weken"),
        (20, "2 settimane", "2 weken"),
        (21, "3 settimane", "3 weken"),
    ],
)
def test_time_since_in_a_tenant_templates_language_counts_whole_weeks(days, it, nl):
    """Languages without hand-written phrases (Babel's words): whole weeks, never rounded up."""
    assert time_since(days, "it") == it and time_since(days, "nl") == nl


def test_follow_up_counts_calendar_days_in_the_interview_zone():
    message = render("follow_up", at=START + timedelta(days=21, hours=3))
    assert "It has been three weeks since we spoke" in message.text


# -- strictness ----------------------------------------------------------------------

def _context(**overrides):
    ctx = build_context(interview=TYPICAL, contact=DANA, recipient=None, events=(),
                        message_kind=MessageKind.THANK_YOU, at=AT, locale="en", linkedin_max_chars=300)
    return {**ctx, **overrides}


def test_context_has_exactly_the_documented_variables():
    assert set(_context()) == set(VARIABLES)


@pytest.mark.parametrize("missing", ["interviewer_name", "candidate_name", "job_title", "topics_phrase"])
def test_a_missing_variable_fails_loudly(missing):
    ctx = _context()
    del ctx[missing]
    with pytest.raises(UndefinedError):
        builtin_template("en", "thank_you", "txt").render(ctx)


def test_printing_none_fails_instead_of_dear_comma():
    with pytest.raises(UndefinedError):
        builtin_template("en", "linkedin_note", "txt").render(_context(interviewer_name=None))
    # rule 2's thank-you to nobody known yet greets without a name, on purpose
    assert builtin_template("en", "thank_you", "txt").render(_context(interviewer_name=None)).startswith("Hello,\n")


def test_environment_is_built_once_and_autoescapes_html_only():
    env = get_environment()
    assert env is get_environment()
    assert builtin_template("en", "thank_you", "txt") is builtin_template("en", "thank_you", "txt")
    hostile = replace(TYPICAL, interviewers=(replace(DANA, name="<b>Dana</b> & Co"),))
    message = render("thank_you", interview=hostile, contact_id=DANA.id)
    assert "Dear <b>Dana</b> & Co," in message.text
    assert "&lt;b&gt;Dana&lt;/b&gt; &amp; Co" in message.html and "<b>" not in message.html


def test_missed_points_become_escaped_paragraphs():
    interview = replace(TYPICAL, missed_points="First <point>.\n\nSecond\nline")
    html = render("thank_you", interview=interview, contact_id=DANA.id).html
    assert "<p>First &lt;point&gt;.</p>\n<p>Second<br>\nline</p>" in html


def test_control_characters_in_the_interview_never_reach_a_built_in_message():
    """Missed points may hold any control but NUL (an ATS import): none is printed, CR is a line break."""
    interview = replace(TYPICAL, missed_points="Esc\x1b[31mred\x07 bell\x7f\r\nnext\rline\x0bend")
    message = render("thank_you", interview=interview, contact_id=DANA.id)
    assert "Esc[31mred bell\nnext\nlineend" in message.text
    assert "<p>Esc[31mred bell<br>\nnext" in message.html
    for part in (message.text, message.html, message.subject):
        assert not any(ch in part for ch in "\x1b\x07\x7f\r\x0b")


def test_every_locale_has_every_template():
    for locale in ("en", "de", "fr", "es"):
        for kind in ("thank_you", "follow_up", "rejection_reply"):
            for part in ("subject.txt", "txt", "html"):
                builtin_template(locale, kind, part)
        for part in ("txt", "short.txt", "min.txt"):
            builtin_template(locale, "linkedin_note", part)


def test_an_ai_interview_with_a_human_recruiter_reads_as_one_in_the_message_too():
    """Rule 2 has one definition: the planner's (nobody who ran the conversation was human)."""
    ai_with_recruiter = replace(TYPICAL, format=InterviewFormat.VIRTUAL, interviewers=(AVA, SAM))
    ctx = build_context(interview=ai_with_recruiter, contact=SAM, recipient=None, events=(),
                        message_kind=MessageKind.THANK_YOU, at=AT, locale="en", linkedin_max_chars=300)
    assert ctx["is_ai_interview"] is True
    with_a_person = replace(ai_with_recruiter, interviewers=(AVA, SAM, DANA))
    ctx = build_context(interview=with_a_person, contact=SAM, recipient=None, events=(),
                        message_kind=MessageKind.THANK_YOU, at=AT, locale="en", linkedin_max_chars=300)
    assert ctx["is_ai_interview"] is False


@pytest.mark.parametrize(
    ("items", "joined"),
    [
        (["SQL", "ingeniería de datos"], "SQL e ingeniería de datos"),
        (["diseño", "Hilo"], "diseño e Hilo"),
        (["x", "y", "Iberia"], "x, y e Iberia"),
        (["agua", "hielo"], "agua y hielo"),  # 'hie' is not an /i/ sound
        (["SQL", "datos"], "SQL y datos"),
    ],
)
def test_spanish_lists_say_e_before_an_i_sound(items, joined):
    assert join_phrase(items, "es") == joined


def test_french_writes_the_first_of_the_month_as_an_ordinal():
    assert (long_date(date(2025, 3, 1), "fr"), long_date(date(2025, 3, 2), "fr")) == ("1er mars 2025", "2 mars 2025")
    assert long_date(date(2025, 3, 1), "fr_CA") == "1er mars 2025" and long_date(date(2025, 3, 1), "en") == "March 1, 2025"


@pytest.mark.parametrize(("title", "written"), [
    ("Ingénieure logiciel", "poste d'Ingénieure logiciel"),
    ("architecte cloud", "poste d'architecte cloud"),
    ("Office Manager", "poste d'Office Manager"),
    ("Senior Data Engineer", "poste de Senior Data Engineer"),
    ("Head of Data", "poste de Head of Data"),  # an h may be aspirated: "de" is never wrong there
])  # fmt: skip
def test_french_elides_de_before_a_job_title_that_starts_with_a_vowel(title, written):
    """ "le poste de Ingénieur" is a spelling mistake a French reader sees at once."""
    rejected = (Event(EventType.REJECTION_RECEIVED, START + timedelta(days=3)),)
    interview = replace(TYPICAL, job_title=title)
    for kind in ("thank_you", "follow_up", "linkedin_note", "rejection_reply"):
        contact = DANA.id if kind in ("thank_you", "linkedin_note") else None
        message = render(kind, interview=interview, events=rejected, contact_id=contact, locale="fr")
        parts = [message.text, unescape(message.html)] + ([message.subject] if kind == "thank_you" else [])
        for part in parts:
            assert written in part, (kind, part)
            assert written.startswith("poste de ") or f"de {title}" not in part, (kind, part)


@pytest.mark.parametrize(("locale", "greeting"), [("en", "Hello,"), ("de", "Guten Tag,"), ("fr", "Bonjour,"), ("es", "Hola:")])
def test_an_agency_known_by_its_name_only_is_not_greeted_as_a_person(locale, greeting):
    """With no agency contact name, the agency's name is the recipient's display name, but
    "Dear Northstar Talent," greets a firm as a person: the greeting is the nameless one."""
    agency = Agency(name="Northstar Talent", contact_email="jobs@northstar.example")
    interview = replace(TYPICAL, agency=agency)
    rejected = (Event(EventType.REJECTION_RECEIVED, START + timedelta(days=9)),)
    for kind in ("follow_up", "rejection_reply"):
        message = render(kind, interview=interview, events=rejected, locale=locale)
        assert message.recipient.name == "Northstar Talent"
        assert message.text.split("\n")[0] == greeting, message.text
        assert unescape(message.html).split("\n")[0] == f"<p>{greeting}</p>", message.html
        named = render(kind, interview=replace(interview, agency=replace(agency, contact_name="Priya Natarajan")), events=rejected, locale=locale)
        assert "Priya Natarajan" in named.text.split("\n")[0]

"""The built-in wording as a native reader checks it: grammar, typography, idiom (followup-rules.md, "Messages").

The goldens pin whole messages; these tests name the one defect each guards against,
so that regenerating a golden cannot quietly bring it back.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from html import unescape

import pytest

from app.domain.model import Agency, Event, EventType
from app.messages.linkedin import ELLIPSIS, note_length
from app.messages.locales import SUPPORTED_LOCALES
from app.messages.render import render_message
from tests.messages.scenarios import AT, DANA, START, TYPICAL

REJECTED = (Event(EventType.REJECTION_RECEIVED, START + timedelta(days=9)),)
AGENCY = Agency(name="Northstar Talent", contact_name="Priya Natarajan", contact_email="priya@northstar.example")


def render(kind, interview=TYPICAL, events=(), contact_id=None, locale="en", **kw):
    return render_message(
        interview=interview, events=events, message_kind=kind, contact_id=contact_id, at=AT, locale=locale, **kw
    )


def both(message) -> list[str]:
    """The text body and the HTML body's visible text."""
    return [message.text, unescape(message.html)]


def test_a_spanish_wish_to_the_contact_and_the_team_takes_the_plural_les():
    """ "Le deseo, a usted y a todo el equipo, ..." doubles a plural object with a singular "le"."""
    for part in both(render("rejection_reply", events=REJECTED, locale="es")):
        assert "Les deseo mucho éxito a usted y a todo el equipo." in part
        assert "Le deseo," not in part
    for part in both(render("rejection_reply", interview=replace(TYPICAL, agency=AGENCY), events=REJECTED, locale="es")):
        assert "Le deseo mucho éxito." in part  # the agency contact alone: singular


def test_french_punctuation_is_spaced_with_a_no_break_space():
    """French sets a space before ; : ? and !, and a no-break one (U+00A0), so that the sign
    never starts a line on its own when a mail reader wraps the paragraph."""
    interview = replace(TYPICAL, agency=AGENCY, missed_points="Un point.")
    messages = [
        render("thank_you", interview=interview, contact_id="c-dana", locale="fr"),
        render("follow_up", interview=replace(TYPICAL, missed_points=None), locale="fr"),
        render("follow_up", interview=interview, locale="fr"),
        render("rejection_reply", interview=interview, events=REJECTED, locale="fr"),
        render("linkedin_note", contact_id="c-dana", locale="fr", linkedin_max_chars=100),
    ]
    seen = set()
    for message in messages:
        for part in both(message):
            for sign in ";:?!":
                assert f" {sign}" not in part, (sign, part)
                if f"\u00a0{sign}" in part:
                    seen.add(sign)
    assert seen == set(";:?!")


def test_the_shortest_english_note_is_about_the_talk_at_the_company_not_about_the_company():
    """ "I enjoyed our talk about Acme Analytics" says the conversation was about the firm."""
    note = render("linkedin_note", contact_id="c-dana", linkedin_max_chars=100)
    assert note.text == "Hi Dana Lee, I enjoyed our talk at Acme Analytics. Let's stay in touch. Jordan Müller"


LONG_NAMES = replace(
    TYPICAL,
    candidate_name="Maximiliane Alexandra von Hohenzollern-Sigmaringen",
    company_name="Internationale Beratungsgesellschaft für Datenstrategie und Analytik GmbH",
    interviewers=(replace(DANA, name="Anna-Katharina Oberhauser-Wittgenstein"),),
)


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_a_short_note_signs_with_the_first_name_before_it_cuts_the_contact_or_the_company(locale):
    """Rule 6 / "Messages": when shortening, the contact's name and the company survive. The
    candidate's own signature gives way first (LinkedIn shows their full name beside the note)."""
    note = render("linkedin_note", interview=LONG_NAMES, contact_id="c-dana", locale=locale, linkedin_max_chars=200)
    assert note_length(note.text) <= 200
    assert "Anna-Katharina Oberhauser-Wittgenstein" in note.text
    assert "Internationale Beratungsgesellschaft für Datenstrategie und Analytik GmbH" in note.text
    assert ELLIPSIS not in note.text and note.text.endswith(" Maximiliane"), note.text
    tight = render("linkedin_note", interview=LONG_NAMES, contact_id="c-dana", locale=locale, linkedin_max_chars=150)
    assert note_length(tight.text) <= 150 and tight.text.endswith(" Maximiliane"), tight.text  # never "von Hohen…"
    roomy = render("linkedin_note", interview=LONG_NAMES, contact_id="c-dana", locale=locale, linkedin_max_chars=300)
    assert roomy.text.endswith(" Maximiliane Alexandra von Hohenzollern-Sigmaringen")  # it fits: the full name


@pytest.mark.parametrize(
    ("locale", "kind", "calque", "idiom"),
    [
        # "beitragen zu" takes what is furthered, not a team
        ("de", "thank_you", "zu Ihrem Team beitragen", "zum Erfolg Ihres Teams beitragen"),
        ("fr", "thank_you", "contribuer rapidement à votre équipe", "contribuer rapidement au succès de votre équipe"),
        ("es", "thank_you", "aportar a su equipo", "aportar valor a su equipo"),  # "aportar" wants its object
        ("en", "follow_up", "I have kept thinking about", "I have often thought back to our discussion of"),
    ],
)
def test_the_fit_and_the_topic_are_said_idiomatically(locale, kind, calque, idiom):
    contact = "c-dana" if kind == "thank_you" else None
    for part in both(render(kind, contact_id=contact, locale=locale)):
        assert calque not in part and idiom in part, part


def test_french_thank_you_without_a_topic_names_the_post_once_per_sentence():
    """ "l'équipe et les missions du poste. Cet entretien a renforcé mon intérêt pour le poste" repeats itself."""
    text = render("thank_you", interview=replace(TYPICAL, topics=()), contact_id="c-dana", locale="fr").text
    assert "sur l'équipe et ses projets. Cet entretien a renforcé mon intérêt pour le poste" in text


def test_the_spanish_thanks_to_an_agency_says_who_put_the_candidate_forward():
    """ "que presentara mi candidatura" reads as "that I presented it" as well as "that you did"."""
    message = render("rejection_reply", interview=replace(TYPICAL, agency=AGENCY), events=REJECTED, locale="es")
    for part in both(message):
        assert "he valorado mucho que presentara usted mi candidatura a Acme Analytics" in part


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_a_topic_typed_as_a_sentence_does_not_double_its_full_stop(locale):
    """ "our conversation about the Kafka migration.. It" / "migration. and on-call": a topic is
    written mid-sentence, so the full stop (or , ; :) a note ends with is not printed."""
    plain = replace(TYPICAL, topics=("the Kafka migration", "on-call rotations"))
    typed = replace(TYPICAL, topics=("the Kafka migration.", " on-call rotations ; ", "..."))
    for kind, contact in (("thank_you", "c-dana"), ("follow_up", None), ("linkedin_note", "c-dana")):
        expected = render(kind, interview=plain, contact_id=contact, locale=locale)
        actual = render(kind, interview=typed, contact_id=contact, locale=locale)
        assert (actual.text, actual.html, actual.warnings) == (expected.text, expected.html, expected.warnings)


@pytest.mark.parametrize(("locale", "again"), [("de", ("noch einmal", "Nochmals")), ("es", ("de nuevo", "de nuevo"))])
def test_a_second_follow_up_to_an_agency_says_again_once(locale, again):
    """ "Le escribo de nuevo ... Gracias de nuevo por presentar mi perfil." in two sentences running."""
    sent = (Event(EventType.FOLLOW_UP_SENT, START + timedelta(days=8)),)
    message = render("follow_up", interview=replace(TYPICAL, agency=AGENCY), events=sent, locale=locale)
    opening = message.text.split("\n\n")[1]
    assert sum(opening.count(word) for word in set(again)) == 1, opening  # the thanks' own "again"
    assert {"de": "erneut", "es": "una vez más"}[locale] in opening

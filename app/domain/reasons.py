"""One English sentence per action, naming the real date and the real person.

Rule-book "Output": the reason names the day in the interview's timezone
("Thursday 16 April") and the person concerned, so the candidate reads why
without decoding a rule number. Built once per schedule (clock-free), so the
wording never depends on `now`.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from app.domain.model import EventType
from app.domain.timecalc import zone as _zone

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

#: How an outcome is named in "The offer on Monday 20 April ended ...".
OUTCOME_NAMES = {
    EventType.REJECTION_RECEIVED: "rejection",
    EventType.OFFER_RECEIVED: "offer",
    EventType.WITHDRAWN: "withdrawal",
    EventType.NEXT_ROUND_SCHEDULED: "next round",
    EventType.CLOSED: "close-out",
}


def format_day(moment: datetime, tz: ZoneInfo | str) -> str:
    """Name the local calendar day of `moment` in `tz`, as "Thursday 16 April" (locale-free)."""
    local = moment.astimezone(_zone(tz) if isinstance(tz, str) else tz)
    return f"{WEEKDAYS[local.weekday()]} {local.day} {MONTHS[local.month - 1]}"


def _hours(n: int) -> str:
    return "1 hour" if n == 1 else f"{n} hours"


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def _within(n: int) -> str:
    """A promised delay: a timeline of 0 days reads "the same day", not "within 0 days"."""
    return "the same day" if n == 0 else f"within {_days(n)}"


# Rule 1 and rule 2: thank-yous.


def thank_you(name: str, ended: str, due: str, due_hours: int, until: str | None, then: str | None = None) -> str:
    """Rule 1: thank each human interviewer by name, soon after the interview.

    `until` is the day a follow-up takes over, None when none ever will (a
    policy allowing no follow-ups): the sentence then promises none. `then`
    (`taken_over_then_ended`) replaces that promise once a reply has ended
    the follow-ups after one took over: the plan lists none to take over.
    """
    if then is None:
        lasts = "even when late" if until is None else f"until {until}, when a follow-up takes over"
        then = f"it stays worth sending {lasts}"
    return f"Send {name} a thank-you by {due}, within {_hours(due_hours)} of your interview on {ended}; {then}."


def thank_you_nobody_recorded(ended: str, due: str, then: str | None = None) -> str:
    """Rule 2 with no contact recorded: ask for one, without claiming who ran the interview.

    `then` as in `thank_you`: it replaces "until then no one can be thanked".
    """
    return (
        f"Nobody you met at your interview on {ended} is recorded, so add the interviewer or the "
        f"recruiter and send them a thank-you by {due}; {then or 'until then no one can be thanked'}."
    )


def thank_you_ai(name: str | None, ended: str, due: str, then: str | None = None) -> str:
    """Rule 2: after an AI interview no person has met the candidate yet (`then` as in `thank_you`)."""
    if name is None:
        text = (
            f"Your interview on {ended} was with an AI and no person has met you yet, so find "
            f"the name of the recruiter or hiring contact and send them a thank-you by {due}"
        )
    else:
        text = (
            f"Your interview on {ended} was with an AI and no person has met you yet, so send "
            f"{name} a thank-you by {due} to put a human face on your application"
        )
    return f"{text}; {then}." if then else f"{text}."


def taken_over_then_ended(took_over: str, who: str, replied: str) -> str:
    """Rules 1 and 4: why a thank-you is missed when no follow-up is left to show for it.

    A follow-up took over from the late thank-you, then a reply without a
    timeline ended the chain, after which only the follow-ups sent are listed
    (often none): the thank-you's own reason says both, with their days.
    """
    return f"a follow-up took over from it on {took_over}, and the reply from {who} on {replied} then ended the follow-ups"


def thank_you_done(name: str | None, sent: str) -> str:
    return f"You sent {name or 'your contact'} a thank-you on {sent}."


def cancelled(what: str, outcome: EventType, on: str) -> str:
    """Rules 7 and 8: an outcome ends the chain; say which and when."""
    return f"The {OUTCOME_NAMES[outcome]} on {on} ended the follow-up chain, so {what} is no longer needed."


# Rules 3, 4, 5 and 9: follow-ups.


def follow_up_silence(recipient: str, since_what: str, since: str, on: str, number: int, last: bool) -> str:
    """Rule 4: follow up only after silence."""
    which = _nth_follow_up(number, last)
    return f"You have heard nothing since your {since_what} on {since}, so send {recipient} {which} on {on}."


def follow_up_decision(who: str, days: int, on: str, through: str | None) -> str:
    """Rule 3: respect the decision timeline the interviewer gave."""
    tail = f" through {through}" if through else ""
    return f"{who} said a decision would come {_within(days)}, so wait until {on} before following up{tail}."


def follow_up_response(who: str, replied: str, days: int, recipient: str, on: str) -> str:
    """Rule 4: a response with a new timeline restarts the count from the response."""
    return (
        f"{who} replied on {replied} that news would come {_within(days)}, "
        f"so follow up with {recipient} on {on}."
    )


def follow_up_spacing(recipient: str, last_email: str, spacing_days: int, on: str) -> str:
    """Rule 5: never two emails to one person inside the spacing window."""
    return (
        f"Your last email to {recipient} went out on {last_email} and emails to one person "
        f"stay {_days(spacing_days)} apart, so follow up on {on}."
    )


def follow_up_apart(last_to: str, last_sent: str, spacing_days: int, recipient: str, on: str) -> str:
    """Rule 5: follow-ups stay apart, whoever the last one went to."""
    return (
        f"Your last follow-up went to {last_to} on {last_sent} and follow-ups stay {_days(spacing_days)} apart, "
        f"so follow up with {recipient} on {on}."
    )


def follow_up_after_thank_you(recipient: str, on: str) -> str:
    """Rule 1: the first follow-up takes over from the thank-you, so never before the thank-you is due."""
    return f"Your thank-you stays due until {on}, so follow up with {recipient} then, not before."


def follow_up_agency(agency: str, since_what: str, since: str, on: str, number: int, last: bool) -> str:
    """Rule 9: follow-ups go through the agency contact."""
    which = _nth_follow_up(number, last)
    return (
        f"Your application runs through the agency, so send {agency} {which} on {on}, "
        f"having heard nothing since your {since_what} on {since}."
    )


def agency_contact(recipient: str) -> str:
    """Rule 9: a follow-up through an agency says so, whatever set its day."""
    return f"your agency contact {recipient}"


def follow_up_done(recipient: str, sent: str) -> str:
    return f"You followed up with {recipient} on {sent}."


_ORDINALS = ("", "", "second", "third", "fourth", "fifth")  # the cap is at most 5


def _nth_follow_up(number: int, last: bool) -> str:
    if number == 1:
        return "one polite follow-up" if last else "a polite follow-up"
    return f"a {_ORDINALS[number]}{', final,' if last else ''} follow-up"


def no_recipient_hint(reason: str) -> str:
    """Rules 2 and 9: with no human contact known, ask for one."""
    return reason[:-1] + ", once you know the recruiter's or hiring manager's email."


# Rule 5: closing out.


def close_out(recipient: str, last_follow_up: str, on: str) -> str:
    """Rule 5: after the last follow-up, close out."""
    return (
        f"No answer came from {recipient} to your last follow-up of {last_follow_up}, "
        f"so close this application out on {on}."
    )


def close_out_silence(since_what: str, since: str, on: str) -> str:
    """Rule 5 with a cap of 0: close out when the first follow-up would have opened (rule 4's silence)."""
    return f"You have heard nothing since your {since_what} on {since}, so close this application out on {on}."


def close_out_decision(who: str, days: int, on: str) -> str:
    """Rule 5 with a cap of 0, when rule 3's decision timeline set the day."""
    return f"{who} said a decision would come {_within(days)}, so close this application out on {on} if none has come by then."


def close_out_reply(who: str, replied: str, days: int, on: str, *, sets_the_day: bool) -> str:
    """Rules 4 and 5: the latest word was a reply with a timeline; it set the close-out
    day, or the follow-ups' wait ends later than the news it promised."""
    if sets_the_day:
        return (
            f"{who} replied on {replied} that news would come {_within(days)}, "
            f"so close this application out on {on} if none has come by then."
        )
    return (
        f"{who} replied on {replied} that news would come {_within(days)}; "
        f"if none has come by {on}, close this application out."
    )


def close_out_done(on: str) -> str:
    return f"You closed this application out on {on}."


# Rule 6: LinkedIn.


def linkedin(name: str, recruiter: bool, due: str) -> str:
    why = f"{name} is a recruiter" if recruiter else f"You had a good rapport with {name}"
    return f"{why}, so connect on LinkedIn by {due} to stay in touch whatever the outcome."


def linkedin_done(name: str, sent: str) -> str:
    return f"You sent {name} a LinkedIn request on {sent}."


# Rule 7: rejection.


def rejection_reply(company: str, name: str | None, rejected: str, due: str) -> str:
    if name is None:
        return (
            f"{company} turned you down on {rejected}; find who to thank and reply graciously "
            f"by {due} to keep the door open for future roles."
        )
    return f"{company} turned you down on {rejected}; thank {name} graciously by {due} to keep the door open for future roles."


def rejection_reply_done(name: str | None, sent: str) -> str:
    return f"You replied graciously to {name or 'the rejection'} on {sent}."


# Rule 10: waiting.


def wait(until: str, what: str) -> str:
    return f"Nothing is due now, so be patient until {until}, when {what}."

"""The tenant policy: exactly the object of followup-rules.md's policy table."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, ValidationInfo, field_validator

from app.api.patterns import readable
from app.api.schemas.common import Int, JsonInt, Strict
from app.domain.policy import NOT_BEFORE, Policy, ordering_error


def _distinct(days: list[int]) -> list[int]:
    """uniqueItems, checked with the body (422) rather than after If-Match (412)."""
    if len(set(days)) != len(days):
        raise ValueError("must not repeat a day")
    return days


ClockTime = Annotated[
    str,
    Field(pattern=readable(r"^([01][0-9]|2[0-3]):[0-5][0-9]$", "must be a time of day as HH:MM, e.g. 09:00"), examples=["09:00"]),
]


class PolicyFields(BaseModel):
    thank_you_due_hours: Int = Field(ge=1, le=168, description="Rule 1: a thank-you is due this long after the end.")
    thank_you_late_hours: Int = Field(ge=1, le=336, description="Rule 1: late after this long (>= due).")
    follow_up_wait_days: Int = Field(ge=1, le=90, description="Rule 4: silence before a follow-up.")
    follow_up_spacing_days: Int = Field(ge=1, le=90, description="Rule 5: days between two follow-ups, and between two emails (thank-you or follow-up) to one person.")
    max_follow_ups: Int = Field(ge=0, le=5, description="Rule 5: cap on follow-ups.")
    close_out_after_days: Int = Field(ge=1, le=90, description="Rule 5: close-out after the last follow-up.")
    linkedin_delay_hours: Int = Field(ge=0, le=336, description="Rule 6: LinkedIn opens at the latest this long after the end.")
    linkedin_due_days: Int = Field(ge=1, le=90, description="Rule 6: LinkedIn request due this long after it opens.")
    linkedin_note_max_chars: Int = Field(ge=100, le=300, description="Rule 6: LinkedIn note limit.")
    rejection_reply_due_hours: Int = Field(ge=1, le=168, description="Rule 7: reply due after the rejection.")
    rejection_reply_late_hours: Int = Field(ge=1, le=336, description="Rule 7: reply late after (>= due).")
    follow_ups_to_agency: StrictBool = Field(description="Rule 9: follow-ups go to the agency contact when one is set.")
    send_window_start: ClockTime = Field(description="Rule 11: local HH:MM, before the end.")
    send_window_end: ClockTime = Field(description="Rule 11: local HH:MM, after the start.", examples=["18:00"])
    send_days: Annotated[list[Annotated[int, Field(ge=1, le=7), JsonInt]], AfterValidator(_distinct)] = Field(
        min_length=1,
        max_length=7,
        description="Rule 11: ISO weekdays (1 = Monday), each at most once.",
        json_schema_extra={"uniqueItems": True},
    )


    @field_validator(*NOT_BEFORE)
    @classmethod
    def _not_before_its_pair(cls, value: Any, info: ValidationInfo) -> Any:
        """The order rules, checked beside each field's own: one 422 names every bad field (api-contract)."""
        earlier = NOT_BEFORE[info.field_name]
        if earlier in info.data and (message := ordering_error(info.field_name, value, info.data[earlier])):
            raise ValueError(message)
        return value


class PolicyPut(PolicyFields, Strict):
    """The whole policy; every field is required (PUT replaces)."""

    # The defaults of followup-rules.md, with a longer wait before follow-ups.
    model_config = ConfigDict(json_schema_extra={"examples": [{**Policy().to_mapping(), "follow_up_wait_days": 10}]})


class PolicyPublic(PolicyFields):
    pass

"""`Step`: a `PlannedStep` under construction, cheap to build.

The rule modules build `Step` named tuples (same fields, same order as
`PlannedStep`); `schedule` turns them into frozen `PlannedStep`s, while
`plan` reads them directly (the planner's functions only read attributes), which
keeps `plan()` within its 50 µs budget without a second copy of any rule.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from app.domain.model import (
    ActionKind,
    ActionState,
    Channel,
    MessageKind,
    Priority,
    Recipient,
    Rule,
)


class Step(NamedTuple):
    kind: ActionKind
    contact_id: str | None
    recipient: Recipient | None
    channel: Channel | None
    available_at: datetime
    due_at: datetime
    late_after: datetime | None
    suggested_send_at: datetime
    priority: Priority
    rule: Rule
    reason: str
    message_kind: MessageKind | None
    resolution: ActionState | None = None
    missed_at: datetime | None = None
    shown_from: datetime | None = None
    position: int = -1


#: `new_step(Step, (all 16 values))`: a `Step` without the named-tuple
#: constructor's argument binding (the rule modules build one per step).
new_step = tuple.__new__

#: The rulebook's order: "by available_at, then rule, then the contact's position".
RULE_RANK = {rule: rank for rank, rule in enumerate(Rule)}


def step_order(step: Step) -> tuple[datetime, int, int]:
    return step.available_at, RULE_RANK[step.rule], step.position

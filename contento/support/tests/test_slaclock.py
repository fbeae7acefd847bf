"""Tests for contento.support.slaclock: worked ticket histories first, then properties.

The office is open Monday to Friday, 09:00–17:00 in Paris, and closed on Easter Monday
(2026-04-06). 2026-03-26 is a Thursday; Paris springs forward on 2026-03-29 and falls back on
2026-10-25.
"""

import json
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from contento.support.businesshours import (
    Calendar,
    add_business_minutes,
    business_minutes_between,
)
from contento.support.slaclock import (
    AgentReply,
    CustomerMessage,
    SlaTargets,
    StatusChange,
    compute_sla_state,
    event_from_dict,
    event_to_dict,
)

PARIS = ZoneInfo("Europe/Paris")
OFFICE = Calendar(
    "Europe/Paris",
    {day: [(time(9), time(17))] for day in range(5)},
    frozenset({date(2026, 4, 6)}),
)
FIRST_RESPONSE = SlaTargets(first_response_minutes=60)


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


# First response ------------------------------------------------------------------------------


def test_friday_afternoon_ticket_is_due_monday_morning():
    created = paris(2026, 3, 27, 16, 30)
    state = compute_sla_state(OFFICE, FIRST_RESPONSE, created, [], paris(2026, 3, 27, 16, 40))
    first = state.first_response
    assert first is not None
    assert first.due_at == paris(2026, 3, 30, 9, 30)
    assert first.started_at == created
    assert first.remaining_business_minutes == pytest.approx(50)
    assert not first.breached
    assert not first.paused
    assert first.met_at is None
    assert state.next_due_at == paris(2026, 3, 30, 9, 30)
    assert state.update is None
    assert state.resolution is None


def test_saturday_ticket_is_due_an_hour_after_monday_opening():
    state = compute_sla_state(
        OFFICE, FIRST_RESPONSE, paris(2026, 3, 28, 11), [], paris(2026, 3, 28, 12)
    )
    assert state.next_due_at == paris(2026, 3, 30, 10)
    assert state.first_response is not None
    assert state.first_response.remaining_business_minutes == 60


def test_holiday_monday_moves_the_due_time_to_tuesday():
    state = compute_sla_state(
        OFFICE, FIRST_RESPONSE, paris(2026, 4, 3, 16, 30), [], paris(2026, 4, 4)
    )
    assert state.next_due_at == paris(2026, 4, 7, 9, 30)


def test_reply_in_time_meets_the_target():
    created = paris(2026, 3, 27, 16, 30)
    reply = paris(2026, 3, 30, 9, 10)
    state = compute_sla_state(
        OFFICE, FIRST_RESPONSE, created, [AgentReply(reply)], paris(2026, 4, 1)
    )
    first = state.first_response
    assert first is not None
    assert first.met_at == reply
    assert first.due_at is None
    assert not first.breached
    assert first.remaining_business_minutes == pytest.approx(20)
    assert state.next_due_at is None


def test_reply_exactly_at_the_due_time_is_on_time():
    state = compute_sla_state(
        OFFICE,
        FIRST_RESPONSE,
        paris(2026, 3, 27, 16, 30),
        [AgentReply(paris(2026, 3, 30, 9, 30))],
        paris(2026, 3, 30, 12),
    )
    assert state.first_response is not None
    assert not state.first_response.breached
    assert state.first_response.remaining_business_minutes == 0


def test_late_reply_is_breached():
    state = compute_sla_state(
        OFFICE,
        FIRST_RESPONSE,
        paris(2026, 3, 27, 16, 30),
        [AgentReply(paris(2026, 3, 30, 9, 45))],
        paris(2026, 3, 30, 12),
    )
    first = state.first_response
    assert first is not None
    assert first.breached
    assert first.breached_at == paris(2026, 3, 30, 9, 30)
    assert first.remaining_business_minutes == pytest.approx(-15)
    assert state.breached


def test_breach_is_evaluated_at_now():
    created = paris(2026, 3, 27, 16, 30)
    before = compute_sla_state(OFFICE, FIRST_RESPONSE, created, [], paris(2026, 3, 30, 9, 29))
    assert before.first_response is not None
    assert not before.first_response.breached
    assert before.first_response.remaining_business_minutes == pytest.approx(1)

    at_due = compute_sla_state(OFFICE, FIRST_RESPONSE, created, [], paris(2026, 3, 30, 9, 30))
    assert at_due.first_response is not None
    assert not at_due.first_response.breached

    after = compute_sla_state(OFFICE, FIRST_RESPONSE, created, [], paris(2026, 3, 30, 10))
    first = after.first_response
    assert first is not None
    assert first.breached
    assert first.due_at == paris(2026, 3, 30, 9, 30)  # still running, so still shown
    assert first.breached_at == paris(2026, 3, 30, 9, 30)
    assert first.remaining_business_minutes == pytest.approx(-30)
    assert not first.warning
    assert after.breached_at == paris(2026, 3, 30, 9, 30)


def test_due_at_closing_time_is_breached_overnight():
    # Due at 17:00 on Friday; on Saturday no business minute has passed since, yet it is late.
    created = paris(2026, 3, 27, 16)
    friday = compute_sla_state(OFFICE, FIRST_RESPONSE, created, [], paris(2026, 3, 27, 17))
    saturday = compute_sla_state(OFFICE, FIRST_RESPONSE, created, [], paris(2026, 3, 28, 10))
    assert friday.first_response is not None
    assert saturday.first_response is not None
    assert friday.first_response.due_at == paris(2026, 3, 27, 17)
    assert not friday.first_response.breached
    assert saturday.first_response.breached
    assert saturday.first_response.remaining_business_minutes == 0
    replied_monday = compute_sla_state(
        OFFICE, FIRST_RESPONSE, created, [AgentReply(paris(2026, 3, 30, 9))], paris(2026, 3, 30, 9)
    )
    assert replied_monday.first_response is not None
    assert replied_monday.first_response.breached


def test_warning_threshold_as_a_fraction():
    created = paris(2026, 3, 27, 16, 30)
    # 20% of 60 minutes: warn from 12 minutes left, that is at 09:18 on Monday.
    calm = compute_sla_state(OFFICE, FIRST_RESPONSE, created, [], paris(2026, 3, 30, 9, 17))
    assert calm.first_response is not None
    assert not calm.first_response.warning
    assert calm.first_response.warning_at == paris(2026, 3, 30, 9, 18)
    assert calm.next_warning_at == paris(2026, 3, 30, 9, 18)
    warned = compute_sla_state(OFFICE, FIRST_RESPONSE, created, [], paris(2026, 3, 30, 9, 18))
    assert warned.first_response is not None
    assert warned.first_response.warning
    assert warned.warning


def test_warning_threshold_as_business_time():
    created = paris(2026, 3, 27, 16, 30)
    state = compute_sla_state(
        OFFICE,
        FIRST_RESPONSE,
        created,
        [],
        paris(2026, 3, 27, 16, 55),
        warning=timedelta(minutes=40),
    )
    assert state.first_response is not None
    assert state.first_response.warning  # 35 minutes left
    assert state.first_response.warning_at == paris(2026, 3, 27, 16, 50)
    none = compute_sla_state(OFFICE, FIRST_RESPONSE, created, [], created, warning=0)
    assert none.first_response is not None
    assert none.first_response.warning_at == paris(2026, 3, 30, 9, 30)


# Pauses, solving and reopening -----------------------------------------------------------------


def pending_over_the_weekend():
    """Thursday 10:00 ticket; answered and set pending at 11:00; the customer is back Monday."""
    created = paris(2026, 3, 26, 10)
    events = [
        CustomerMessage(created),
        AgentReply(paris(2026, 3, 26, 11)),
        StatusChange(paris(2026, 3, 26, 11), "pending_customer"),
        CustomerMessage(paris(2026, 3, 30, 10)),
        StatusChange(paris(2026, 3, 30, 10), "open"),
    ]
    targets = SlaTargets(first_response_minutes=60, update_minutes=120, resolution_minutes=960)
    return created, events, targets


def test_pending_customer_pauses_the_clock_over_the_weekend():
    created, events, targets = pending_over_the_weekend()
    state = compute_sla_state(OFFICE, targets, created, events, paris(2026, 3, 28, 12))
    resolution = state.resolution
    assert resolution is not None
    assert resolution.paused
    assert resolution.due_at is None
    assert resolution.remaining_business_minutes == pytest.approx(900)
    assert state.paused
    assert state.next_due_at is None
    assert state.first_response is not None
    assert state.first_response.met_at == paris(2026, 3, 26, 11)
    assert not state.first_response.breached
    assert not state.first_response.paused  # met, so not waiting on anything
    # The first message is the first response's business, so no update is waiting.
    assert state.update is not None
    assert state.update.started_at is None


def test_resuming_after_the_pause_moves_the_due_time_by_the_paused_business_minutes():
    created, events, targets = pending_over_the_weekend()
    state = compute_sla_state(OFFICE, targets, created, events, paris(2026, 3, 30, 11))
    resolution = state.resolution
    assert resolution is not None
    assert not resolution.paused
    # 60 minutes used on Thursday; 900 left from Monday 10:00: 420 on Monday, 480 on Tuesday.
    assert resolution.due_at == paris(2026, 3, 31, 17)
    # Without the pause it would have been due Monday 10:00; the pause (Thursday from 11:00,
    # Friday, Monday until 10:00) adds 360 + 480 + 60 business minutes.
    assert add_business_minutes(OFFICE, created, 960) == paris(2026, 3, 30, 10)
    paused = business_minutes_between(OFFICE, paris(2026, 3, 26, 11), paris(2026, 3, 30, 10))
    assert paused == 360 + 480 + 60
    assert resolution.due_at == add_business_minutes(OFFICE, created, 960 + paused)
    # The customer's Monday message wants an update within two business hours.
    assert state.update is not None
    assert state.update.started_at == paris(2026, 3, 30, 10)
    assert state.update.due_at == paris(2026, 3, 30, 12)
    assert state.next_due_at == paris(2026, 3, 30, 12)
    assert not state.paused


def test_custom_pausing_statuses():
    created = paris(2026, 3, 30, 9)
    events = [StatusChange(paris(2026, 3, 30, 10), "on_hold")]
    targets = SlaTargets(resolution_minutes=120)
    now = paris(2026, 3, 30, 15)
    counted = compute_sla_state(OFFICE, targets, created, events, now)
    paused = compute_sla_state(
        OFFICE, targets, created, events, now, pausing_statuses={"pending_customer", "on_hold"}
    )
    assert counted.resolution is not None
    assert paused.resolution is not None
    assert counted.resolution.breached
    assert counted.resolution.due_at == paris(2026, 3, 30, 11)
    assert paused.resolution.paused
    assert not paused.resolution.breached
    assert paused.resolution.remaining_business_minutes == pytest.approx(60)


def test_solving_meets_resolution_and_reopening_resumes_it():
    created = paris(2026, 3, 30, 9)
    targets = SlaTargets(resolution_minutes=240)
    solved = [StatusChange(paris(2026, 3, 30, 11), "solved")]

    state = compute_sla_state(OFFICE, targets, created, solved, paris(2026, 3, 30, 15))
    assert state.resolution is not None
    assert state.resolution.met_at == paris(2026, 3, 30, 11)
    assert state.resolution.due_at is None
    assert not state.resolution.breached
    assert state.resolution.remaining_business_minutes == pytest.approx(120)

    reopened = [
        *solved,
        StatusChange(paris(2026, 3, 30, 12), "closed"),
        CustomerMessage(paris(2026, 3, 31, 9)),
        StatusChange(paris(2026, 3, 31, 9), "open"),
    ]
    state = compute_sla_state(OFFICE, targets, created, reopened, paris(2026, 3, 31, 10))
    assert state.resolution is not None
    assert state.resolution.met_at is None
    assert state.resolution.due_at == paris(2026, 3, 31, 11)  # the 120 minutes left
    assert state.resolution.remaining_business_minutes == pytest.approx(60)

    solved_late = [*reopened, StatusChange(paris(2026, 3, 31, 12), "solved")]
    state = compute_sla_state(OFFICE, targets, created, solved_late, paris(2026, 3, 31, 15))
    assert state.resolution is not None
    assert state.resolution.met_at == paris(2026, 3, 31, 12)
    assert state.resolution.breached
    assert state.resolution.breached_at == paris(2026, 3, 31, 11)
    assert state.resolution.remaining_business_minutes == pytest.approx(-60)


def test_solved_then_closed_keeps_the_solving_time():
    created = paris(2026, 3, 30, 9)
    events = [
        StatusChange(paris(2026, 3, 30, 10), "solved"),
        StatusChange(paris(2026, 3, 31, 10), "closed"),
    ]
    state = compute_sla_state(
        OFFICE, SlaTargets(resolution_minutes=60), created, events, paris(2026, 4, 1)
    )
    assert state.resolution is not None
    assert state.resolution.met_at == paris(2026, 3, 30, 10)


def test_solving_without_a_reply_freezes_the_first_response():
    created = paris(2026, 3, 30, 9)
    events = [StatusChange(paris(2026, 3, 30, 9, 30), "solved")]
    state = compute_sla_state(OFFICE, FIRST_RESPONSE, created, events, paris(2026, 3, 31))
    first = state.first_response
    assert first is not None
    assert first.due_at is None
    assert first.met_at is None
    assert not first.breached
    assert not first.paused
    assert first.remaining_business_minutes == pytest.approx(30)


def test_reply_while_paused_still_meets_the_target():
    created = paris(2026, 3, 30, 9)
    events = [
        StatusChange(paris(2026, 3, 30, 9, 30), "pending_customer"),
        AgentReply(paris(2026, 3, 30, 14)),
    ]
    state = compute_sla_state(OFFICE, FIRST_RESPONSE, created, events, paris(2026, 3, 30, 15))
    assert state.first_response is not None
    assert state.first_response.met_at == paris(2026, 3, 30, 14)
    assert not state.first_response.breached


# Update cycles -------------------------------------------------------------------------------


def test_update_clock_runs_from_the_first_unanswered_customer_message():
    created = paris(2026, 3, 30, 9)
    targets = SlaTargets(first_response_minutes=60, update_minutes=60)
    events = [
        CustomerMessage(created),
        AgentReply(paris(2026, 3, 30, 9, 30)),
        CustomerMessage(paris(2026, 3, 30, 10)),
        CustomerMessage(paris(2026, 3, 30, 10, 40)),  # does not restart the clock
        AgentReply(paris(2026, 3, 30, 11, 30)),  # late: due at 11:00
        CustomerMessage(paris(2026, 3, 30, 14)),
    ]
    state = compute_sla_state(OFFICE, targets, created, events, paris(2026, 3, 30, 14, 30))
    assert state.update is not None
    assert state.update.started_at == paris(2026, 3, 30, 14)
    assert state.update.due_at == paris(2026, 3, 30, 15)
    assert not state.update.breached
    assert state.update_breaches == 1

    answered = [*events, AgentReply(paris(2026, 3, 30, 14, 45))]
    state = compute_sla_state(OFFICE, targets, created, answered, paris(2026, 3, 30, 16))
    assert state.update is not None
    assert state.update.met_at == paris(2026, 3, 30, 14, 45)
    assert state.update.due_at is None
    assert state.next_due_at is None
    assert state.update_breaches == 1


def test_without_first_response_target_the_first_message_wants_an_update():
    created = paris(2026, 3, 30, 9)
    state = compute_sla_state(
        OFFICE,
        SlaTargets(update_minutes=30),
        created,
        [CustomerMessage(created)],
        paris(2026, 3, 30, 9, 10),
    )
    assert state.update is not None
    assert state.update.due_at == paris(2026, 3, 30, 9, 30)


def test_next_due_at_is_the_earliest_running_clock():
    created = paris(2026, 3, 30, 9)
    targets = SlaTargets(first_response_minutes=120, resolution_minutes=60)
    state = compute_sla_state(OFFICE, targets, created, [], paris(2026, 3, 30, 9, 5))
    assert state.next_due_at == paris(2026, 3, 30, 10)


# Daylight-saving time ------------------------------------------------------------------------


def test_always_open_calendar_counts_real_hours_across_spring_forward():
    always = Calendar.always("Europe/Paris")
    created = paris(2026, 3, 28, 12)
    state = compute_sla_state(
        always, SlaTargets(resolution_minutes=24 * 60), created, [], paris(2026, 3, 29, 1)
    )
    assert state.next_due_at == paris(2026, 3, 29, 13)


def test_sunday_night_calendar_across_both_transitions():
    sunday_night = Calendar("Europe/Paris", {6: [(time(2, 30), time(5))]})
    spring = compute_sla_state(
        sunday_night, FIRST_RESPONSE, paris(2026, 3, 28, 20), [], paris(2026, 3, 28, 21)
    )
    assert spring.next_due_at == paris(2026, 3, 29, 4)  # opens at 03:00, the gap's end
    autumn = compute_sla_state(
        sunday_night, FIRST_RESPONSE, paris(2026, 10, 24, 20), [], paris(2026, 10, 24, 21)
    )
    # Opens at the first 02:30 (CEST); an hour later the clocks read 02:30 again (CET).
    assert autumn.next_due_at == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert autumn.next_due_at is not None
    assert autumn.next_due_at.astimezone(PARIS).fold == 1


def test_events_in_the_repeated_hour_are_ordered_in_real_time():
    always = Calendar.always("Europe/Paris")
    created = paris(2026, 10, 25, 2, 40)  # CEST, the first 02:40
    events = [AgentReply(paris(2026, 10, 25, 2, 10).replace(fold=1))]  # CET, 30 minutes later
    state = compute_sla_state(always, FIRST_RESPONSE, created, events, paris(2026, 10, 25, 4))
    assert state.first_response is not None
    assert state.first_response.met_at == datetime(2026, 10, 25, 1, 10, tzinfo=UTC)
    assert state.first_response.remaining_business_minutes == pytest.approx(30)


# Inputs ---------------------------------------------------------------------------------------


def test_events_after_now_are_ignored():
    created = paris(2026, 3, 30, 9)
    events = [AgentReply(paris(2026, 3, 30, 9, 45))]
    state = compute_sla_state(OFFICE, FIRST_RESPONSE, created, events, paris(2026, 3, 30, 9, 15))
    assert state.first_response is not None
    assert state.first_response.met_at is None
    assert state.first_response.due_at == paris(2026, 3, 30, 10)


def test_invalid_inputs_are_refused():
    created = paris(2026, 3, 30, 9)
    with pytest.raises(ValueError, match="aware"):
        compute_sla_state(OFFICE, FIRST_RESPONSE, datetime(2026, 3, 30, 9), [], created)
    with pytest.raises(ValueError, match="aware"):
        compute_sla_state(
            OFFICE, FIRST_RESPONSE, created, [AgentReply(datetime(2026, 3, 30))], created
        )
    with pytest.raises(ValueError, match="before the ticket was created"):
        compute_sla_state(
            OFFICE, FIRST_RESPONSE, created, [AgentReply(paris(2026, 3, 29))], created
        )
    with pytest.raises(ValueError, match="before the ticket was created"):
        compute_sla_state(OFFICE, FIRST_RESPONSE, created, [], paris(2026, 3, 29))
    with pytest.raises(ValueError, match="warning fraction"):
        compute_sla_state(OFFICE, FIRST_RESPONSE, created, [], created, warning=1.5)
    with pytest.raises(ValueError, match="positive"):
        SlaTargets(first_response_minutes=0)


def test_events_round_trip_through_json():
    events = [
        CustomerMessage(paris(2026, 3, 30, 9)),
        AgentReply(datetime(2026, 3, 30, 8, 30, tzinfo=UTC)),
        StatusChange(paris(2026, 10, 25, 2, 30).replace(fold=1), "pending_customer"),
    ]
    data = json.loads(json.dumps([event_to_dict(event) for event in events]))
    assert data[2] == {
        "kind": "status",
        "at": "2026-10-25T02:30:00+01:00",
        "status": "pending_customer",
    }
    back = [event_from_dict(item) for item in data]
    assert [type(event) for event in back] == [type(event) for event in events]
    # Timestamps: Python never finds a folded time equal to one in another zone (PEP 495).
    assert [e.at.timestamp() for e in back] == [e.at.timestamp() for e in events]
    for bad in ({"kind": "note", "at": "2026-03-30T09:00:00+00:00"}, {"kind": "status"}, {}):
        with pytest.raises(ValueError):
            event_from_dict(bad)
    with pytest.raises(ValueError, match="no time zone"):
        event_from_dict({"kind": "agent_reply", "at": "2026-03-30T09:00:00"})


# Properties -----------------------------------------------------------------------------------

MINUTES_AFTER = st.integers(min_value=0, max_value=20 * 24 * 60)


@settings(max_examples=100, deadline=None)
@given(
    st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
    ),
    st.integers(min_value=1, max_value=3000),
    MINUTES_AFTER,
    MINUTES_AFTER,
)
def test_a_pause_moves_the_due_time_by_its_business_minutes(created, target, pause_at, pause_for):
    # Pausing from p to q and resuming equals counting target + business minutes in [p, q].
    start = created + timedelta(minutes=pause_at)
    end = start + timedelta(minutes=pause_for)
    unpaused_due = add_business_minutes(OFFICE, created, target)
    assume(start < unpaused_due)  # a pause after the due time cannot rescue it
    events = [StatusChange(start, "pending_customer"), StatusChange(end, "open")]
    state = compute_sla_state(OFFICE, SlaTargets(resolution_minutes=target), created, events, end)
    paused = business_minutes_between(OFFICE, start, end)
    assert state.resolution is not None
    expected = add_business_minutes(OFFICE, created, target + paused)
    assert state.resolution.due_at is not None
    assert abs(state.resolution.due_at - expected) <= timedelta(microseconds=1)
    assert not state.resolution.breached or end > expected


@settings(max_examples=100, deadline=None)
@given(
    st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
    ),
    st.integers(min_value=1, max_value=3000),
    MINUTES_AFTER,
)
def test_remaining_plus_elapsed_is_the_target(created, target, after):
    now = created + timedelta(minutes=after)
    state = compute_sla_state(OFFICE, SlaTargets(resolution_minutes=target), created, [], now)
    resolution = state.resolution
    assert resolution is not None
    elapsed = business_minutes_between(OFFICE, created, now)
    assert resolution.remaining_business_minutes == pytest.approx(target - elapsed, abs=1e-6)
    assert resolution.breached == (now > resolution.due_at)

"""One answer for a push message from its devices' answers (``channels.devices.combined``)."""

from __future__ import annotations

from retentio.messaging.channels.devices import combined
from retentio.messaging.channels.port import SendResult, SendStatus

DEAD = SendResult.unreachable("FCM HTTP 404 UNREGISTERED")
BUSY = SendResult.retry("FCM HTTP 503 UNAVAILABLE", retry_after=30)


def test_one_device_taking_it_makes_it_sent_with_the_first_provider_id() -> None:
    answer = combined([], [DEAD, SendResult.sent("projects/p/messages/2"), SendResult.sent("m3")])
    assert (answer.status, answer.provider_id) == (SendStatus.SENT, "projects/p/messages/2")
    assert answer.reason == "2 of 3 devices (unreachable: FCM HTTP 404 UNREGISTERED)"


def test_devices_that_took_it_on_an_earlier_run_count_as_sent() -> None:
    answer = combined(["m1"], [BUSY])
    assert (answer.status, answer.provider_id) == (SendStatus.SENT, "m1")


def test_with_none_sent_a_temporary_error_retries_the_message_after_the_longest_wait() -> None:
    answer = combined([], [DEAD, BUSY, SendResult.retry("refused", retry_after=5)])
    assert (answer.status, answer.retry_after) == (SendStatus.RETRY, 30)


def test_a_refused_message_fails_and_only_dead_devices_make_it_unreachable() -> None:
    assert combined([], [DEAD, SendResult.failed("too large")]).status is SendStatus.FAILED
    gone = combined([], [DEAD, DEAD])
    assert gone.status is SendStatus.UNREACHABLE
    assert gone.reason.startswith("every device is gone: unreachable: FCM HTTP 404")

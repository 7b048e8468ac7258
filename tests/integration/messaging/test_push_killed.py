"""A ``retentio worker`` killed (SIGKILL) between the device sends of one push message: the message is
sent again, and the devices that took it before the kill do not get it twice."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from tests.fakes.fcm import FakeFcm
from tests.integration.messaging.mail_run import expire_leases_of, start_worker
from tests.integration.messaging.test_push_devices import (
    OLD_PHONE,
    PHONE,
    TABLET,
    app,
    customer,
    fcm_adapter,
    message,
    request,
    send_all,
)

from retentio.clock import FixedClock, SystemClock
from retentio.messaging.content import ChannelName
from retentio.messaging.tables import push_sends


@pytest.fixture
def fcm() -> Iterator[FakeFcm]:
    with FakeFcm() as server:
        yield server


def settings_file(folder: Path, fcm: FakeFcm) -> Path:
    path = folder / "messaging.toml"
    key = fcm.service_account_json()  # JSON: double quotes only, so a TOML literal string holds it
    path.write_text(
        f'[channels.push]\nprovider = "fcm"\nservice_account_json = \'{key}\'\nbase_url = "{fcm.url}"\n'
        "[rules]\nquiet_hours = false\nbest_hour = false\n",
        encoding="utf-8",
    )
    return path


def sends_recorded(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(push_sends)).scalar_one())


def test_a_worker_killed_between_device_sends_sends_the_rest_and_no_device_twice(
    engine: Engine, database_url: str, tmp_path: Path, fcm: FakeFcm
) -> None:
    # given three devices; the third one's request will be in flight when the worker dies
    now = SystemClock().now()
    for token in (PHONE, TABLET, OLD_PHONE):
        fcm.register(token)
    in_flight = fcm.hold(OLD_PHONE)
    customer(engine, now, "c1", app(PHONE), app(TABLET), app(OLD_PHONE))
    message_id = request(engine, now, "c1", "cart-killed")
    # when the worker has sent to two devices and is killed while the third is being sent to
    worker = start_worker(database_url, settings_file(tmp_path, fcm), tmp_path / "worker.log", "push-killed")
    try:
        assert in_flight.wait(timeout=120), (tmp_path / "worker.log").read_text()[-2000:]
        _wait_until(lambda: sends_recorded(engine) == 2)
    finally:
        worker.kill()
        worker.wait()
    fcm.let_go()  # the third device answers from now on
    assert message(engine, message_id).state.value == "sending"
    # and the message runs again once the dead worker's lease is over
    expire_leases_of(engine, worker.pid, now)
    clock = FixedClock(SystemClock().now())
    send_all(engine, clock, {ChannelName.PUSH: fcm_adapter(fcm, clock)})
    # then each device got it once
    assert sorted(pushed.token for pushed in fcm.delivered) == [OLD_PHONE, PHONE, TABLET]
    assert message(engine, message_id).state.value == "sent"
    assert sends_recorded(engine) == 3


def _wait_until(condition: Callable[[], bool], attempts: int = 600) -> None:
    """Each device's answer is recorded in its own transaction right after it comes."""
    for _ in range(attempts):
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("the two device sends were never recorded")

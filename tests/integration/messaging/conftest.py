"""Fixtures the messaging integration tests share: each fake SMS provider, started on a free port
for one test and stopped after it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.fakes.smsaero import FakeSmsAero
from tests.fakes.smsc import FakeSmsc
from tests.fakes.smsru import FakeSmsRu


@pytest.fixture
def smsru() -> Iterator[FakeSmsRu]:
    with FakeSmsRu() as fake:
        yield fake


@pytest.fixture
def smsc() -> Iterator[FakeSmsc]:
    with FakeSmsc() as fake:
        yield fake


@pytest.fixture
def smsaero() -> Iterator[FakeSmsAero]:
    with FakeSmsAero() as fake:
        yield fake

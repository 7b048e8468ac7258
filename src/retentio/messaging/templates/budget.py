"""What one message's rendering may spend, and the state its filters and guards read while it runs.

A template may loop, recurse or build strings; the guards (``guards.py``) stop it when it takes longer
than ``Limits.seconds`` or builds a string longer than ``Limits.max_string`` characters, so one bad
template fails its message with a reason instead of hanging or exhausting the worker.

The state of the message being rendered (its locale, the customer's timezone, the deadline) is held
in a context variable for the length of one render: filters and guards need it, and a template must
not be able to read or replace it, as it could a variable of its own context.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import tzinfo

from babel import Locale

from retentio.messaging.templates.model import MIB


@dataclass(frozen=True, slots=True)
class Limits:
    seconds: float = 1.0  # for all the parts of one message together
    max_string: int = MIB  # characters in any one string a template builds on the way
    monotonic: Callable[[], float] = field(default=time.monotonic, compare=False)
    # The rendering thread's CPU time, read only once the wall clock says the time is up: a worker
    # starved of CPU (a loaded machine, the channels' thread holding the GIL) is not an endless loop,
    # and failing the message for it would be final (a 100,000-email run lost one so).
    cpu: Callable[[], float] = field(default=time.thread_time, compare=False)


DEFAULT_LIMITS = Limits()


class LimitExceeded(Exception):
    """A template went past its budget; the message fails with this reason."""


@dataclass(frozen=True, slots=True)
class Rendering:
    locale: Locale  # the locale of the body being rendered, not the customer's wish
    timezone: tzinfo  # the customer's
    currency: str  # the shop's, for money() without a currency
    limits: Limits
    deadline: float  # on ``limits.monotonic``
    cpu_deadline: float  # on ``limits.cpu``


_current: ContextVar[Rendering] = ContextVar("retentio_template_rendering")


@contextmanager
def rendering(state: Rendering) -> Iterator[Rendering]:
    token = _current.set(state)
    try:
        yield state
    finally:
        _current.reset(token)


def current() -> Rendering:
    """The message being rendered; outside a render (Jinja folding constants while compiling) this
    raises, and Jinja then leaves the expression to be evaluated when a message is rendered."""
    try:
        return _current.get()
    except LookupError:
        raise RuntimeError("locale helpers work only while a message is rendered") from None


def check_time() -> None:
    state = _current.get(None)
    if (
        state is not None
        and state.limits.monotonic() > state.deadline
        and state.limits.cpu() > state.cpu_deadline
    ):
        raise LimitExceeded(f"took longer than {state.limits.seconds:g} s to render (an endless loop?)")


def check_length(length: int) -> None:
    state = _current.get(None)
    limit = state.limits.max_string if state is not None else DEFAULT_LIMITS.max_string
    if length > limit:
        raise LimitExceeded(f"builds a string of {length} characters, more than the {limit} allowed")

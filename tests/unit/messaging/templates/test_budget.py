"""The render budget counts the rendering thread's CPU, so a worker starved of CPU does not fail a
message as an endless loop (a final outcome), while a template that spins is still stopped."""

from __future__ import annotations

import time
from datetime import UTC

import pytest
from babel import Locale

from retentio.messaging.templates.budget import LimitExceeded, Limits, Rendering, check_time, rendering


def _state(limits: Limits) -> Rendering:
    budget = limits.seconds
    return Rendering(Locale("ru"), UTC, "RUB", limits, limits.monotonic() + budget, limits.cpu() + budget)


def test_a_render_starved_of_cpu_is_not_taken_for_an_endless_loop() -> None:
    # given a render whose wall-clock budget passes while its thread does not run
    with rendering(_state(Limits(seconds=0.05))):
        time.sleep(0.1)
        # when the guard looks, then the render goes on
        check_time()


def test_a_render_that_spends_its_cpu_budget_is_stopped() -> None:
    # given a render that keeps the CPU busy past its budget
    with rendering(_state(Limits(seconds=0.05))):
        spent_from = time.thread_time()
        while time.thread_time() - spent_from < 0.06:
            pass
        # when the guard looks, then it stops the render
        with pytest.raises(LimitExceeded, match=r"took longer than 0\.05 s"):
            check_time()

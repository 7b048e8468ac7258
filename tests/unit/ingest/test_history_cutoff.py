"""When an arriving event is history: older than the cut-off, or every event of a backfill."""

from datetime import UTC, datetime, timedelta

from retentio.ingest.pipeline import IngestOptions

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def test_without_a_cut_off_nothing_is_history() -> None:
    assert IngestOptions().history_before(NOW) is None


def test_the_cut_off_counts_back_from_now() -> None:
    options = IngestOptions(history_cutoff=timedelta(hours=72))
    assert options.history_before(NOW) == NOW - timedelta(hours=72)


def test_a_backfill_is_history_whatever_its_dates() -> None:
    before = IngestOptions(historical=True, history_cutoff=timedelta(hours=72)).history_before(NOW)
    assert before is not None
    assert before > NOW + timedelta(days=365 * 100)

"""`retentio demo` as text: every segment name it prints comes with what it means."""

from pathlib import Path

from typer.testing import CliRunner

from retentio.cli import app
from retentio.cli.segment_names import MEANINGS, meaning
from retentio.segments.config import DEFAULT_RFM_RULES, UNMATCHED_SEGMENT
from retentio.segments.ladder import LADDER_STAGES
from retentio.segments.lifecycle import LIFECYCLE_STAGES


def test_every_built_in_name_has_a_meaning() -> None:
    assert set(MEANINGS["RFM"]) == {rule.name for rule in DEFAULT_RFM_RULES} | {UNMATCHED_SEGMENT}
    assert set(MEANINGS["lifecycle"]) == set(LIFECYCLE_STAGES)
    assert set(MEANINGS["ladder"]) == set(LADDER_STAGES)
    assert meaning("RFM", "A custom rule") == ""


def test_the_text_report_explains_the_segments_it_lists(tmp_path: Path) -> None:
    # when
    result = CliRunner().invoke(
        app,
        ["demo", "--db", str(tmp_path / "demo.db"), "--customers", "150", "--days", "30", "--seed", "3"],
        env={"COLUMNS": "400"},
    )
    # then: each row of the standing table carries its explanation
    assert result.exit_code == 0, result.output
    assert "what it means" in result.output
    rows = [line for line in result.output.splitlines() if line.startswith("│ lifecycle")]
    assert rows
    for row in rows:
        stage = row.split("│")[2].strip()
        assert meaning("lifecycle", stage) in row
    assert meaning("lifecycle", "prospect") in result.output

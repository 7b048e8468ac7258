"""`retentio demo` as text: every segment name it prints comes with what it means."""

from pathlib import Path

from typer.testing import CliRunner

from retentio.cli import app
from retentio.cli.segment_names import lifecycle_move_meaning, meaning, meanings
from retentio.segments.config import DEFAULT_RFM_RULES, UNMATCHED_SEGMENT
from retentio.segments.ladder import LADDER_STAGES
from retentio.segments.lifecycle import LIFECYCLE_STAGES
from retentio.segments.moves_summary import NEW_TO_THE_BASE


def test_every_built_in_name_has_a_meaning() -> None:
    texts = meanings()
    assert set(texts["RFM"]) == {rule.name for rule in DEFAULT_RFM_RULES} | {UNMATCHED_SEGMENT}
    assert set(texts["lifecycle"]) == set(LIFECYCLE_STAGES)
    assert set(texts["ladder"]) == set(LADDER_STAGES)
    assert texts["RFM"]["Champions"] == "bought very recently and often (R 5, F 4–5)"
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
    # and each lifecycle move says why it happens
    moves = [line for line in result.output.splitlines() if "→" in line and line.startswith("│ ")]
    assert moves
    for line in moves:
        move, _count, why = (cell.strip() for cell in line.strip("│").split("│"))
        assert why == lifecycle_move_meaning(*move.split(" → ")), line
        assert why


def test_every_lifecycle_move_says_why() -> None:
    for source in (NEW_TO_THE_BASE, *LIFECYCLE_STAGES):
        for destination in LIFECYCLE_STAGES:
            if source != destination:
                assert lifecycle_move_meaning(source, destination), (source, destination)
    # the moves that look backwards name what causes them
    assert "cancelled" in lifecycle_move_meaning("new", "prospect")
    assert "returns" in lifecycle_move_meaning("loyal", "new")
    assert lifecycle_move_meaning("at_risk", "new") == "ordered again, still 1–2 orders"
    assert lifecycle_move_meaning(NEW_TO_THE_BASE, "new").endswith(meaning("lifecycle", "new"))

"""Every rule shown in docs/custom-segments.md is a valid rule."""

from __future__ import annotations

import re

import pytest
from tests.conftest import REPO_ROOT

from retentio.segments.custom.parse import load_text, parse_definition

DOC = (REPO_ROOT / "docs" / "custom-segments.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```(?:json|yaml)\n(.*?)```", DOC, flags=re.DOTALL)
INLINE = [
    rule
    for rule in re.findall(r"`(\{\"(?:all|any|field|event|segment|rfm|lifecycle)\".*?\})`", DOC)
    if "..." not in rule and "NAME" not in rule  # the syntax summaries in headings
]


@pytest.mark.parametrize("text", BLOCKS + INLINE)
def test_the_documented_rule_is_valid(text: str) -> None:
    parse_definition(load_text(text))


def test_the_documentation_has_examples() -> None:
    assert len(BLOCKS) >= 5
    assert len(INLINE) >= 5

"""Errors of the rule language: each one names the part of the rule it is about, by path."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RuleError:
    """One thing wrong with a rule, at ``path`` (``rule.all[1].event.window``)."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class InvalidRule(ValueError):
    """A rule that is refused; it is never compiled nor executed."""

    def __init__(self, errors: list[RuleError]) -> None:
        super().__init__("; ".join(str(error) for error in errors))
        self.errors = errors


class SegmentNotFound(LookupError):
    pass


class SegmentExists(ValueError):
    pass

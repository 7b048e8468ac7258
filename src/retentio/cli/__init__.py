"""The command line for operators: ``retentio <group> <command>``, thin over the areas."""

from retentio.cli.app import app, main

__all__ = ["app", "main"]

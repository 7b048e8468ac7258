"""An import-linter contract type: areas import each other only through their facades.

Each child package of ``container`` is an area, except the ``shared_modules`` (the foundations every
area may import module by module). A module outside an area that imports any module below the area's
package — ``retentio.customers.tables``, not ``retentio.customers`` — reaches past the area's facade,
and breaks the contract. Registered in pyproject.toml (``contract_types``); ``lint-imports`` puts the
working directory on ``sys.path``, so run it from the repository's root:

    [[tool.importlinter.contracts]]
    name = "Areas import each other only through their facades"
    type = "facades"
    container = "retentio"
    shared_modules = ["retentio.db", "retentio.types"]
    ignore_imports = ["retentio.db.schema -> retentio.*.tables"]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output
from importlinter.application.contract_utils import AlertLevel, remove_ignored_imports_and_report
from importlinter.domain.imports import ImportExpression, Module


@dataclass(frozen=True, slots=True)
class Reach:
    """An import of a module below another area's facade."""

    importer: str
    imported: str
    area: str
    lines: tuple[tuple[int, str], ...]  # (line number, the import as written)


class FacadesContract(Contract):
    """Areas import each other only through their facades (see the module's docstring)."""

    container = fields.ModuleField()
    shared_modules = fields.ListField(subfield=fields.ModuleField(), required=False)
    ignore_imports = fields.SetField(subfield=fields.ImportExpressionField(), required=False)
    unmatched_ignore_imports_alerting = fields.EnumField(AlertLevel, default=AlertLevel.ERROR)

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        removal = remove_ignored_imports_and_report(
            graph=graph,
            ignore_imports=sorted(cast(set[ImportExpression] | None, self.ignore_imports) or (), key=str),
            unmatched_alerting=cast(AlertLevel, self.unmatched_ignore_imports_alerting),
        )
        reaches = find_reaches(graph, self.areas(graph))
        output.verbose_print(verbose, f"Found {len(reaches)} reaches past a facade.")
        return ContractCheck(
            kept=not reaches,
            warnings=list(removal.warnings),
            ignored_import_count=removal.ignored_import_count,
            metadata={"reaches": reaches},
        )

    def areas(self, graph: ImportGraph) -> list[str]:
        shared = {module.name for module in cast(list[Module] | None, self.shared_modules) or []}
        children = graph.find_children(cast(Module, self.container).name)
        return sorted(children - shared)

    def render_broken_contract(self, check: ContractCheck) -> None:
        reaches: list[Reach] = check.metadata["reaches"]
        output.print_error("Imports that reach past another area's facade:", bold=False)
        output.new_line()
        for reach in reaches:
            numbers = ", ".join(str(number) for number, _ in reach.lines)
            output.print_error(f"- {reach.importer} -> {reach.imported} (l.{numbers})", bold=False)
            for number, text in reach.lines:
                output.indent_cursor()
                output.print(f"l.{number}: {text}")
            output.indent_cursor()
            output.print(f"import the names from {reach.area} instead")
        output.new_line()
        output.print("A name a facade lacks is added to its area's __init__.py.")
        output.new_line()


def find_reaches(graph: ImportGraph, areas: list[str]) -> list[Reach]:
    """Every import, from outside an area, of a module below that area's package."""
    reaches = []
    for area in areas:
        for imported in sorted(graph.find_descendants(area)):
            for importer in sorted(graph.find_modules_that_directly_import(imported)):
                if importer == area or importer.startswith(f"{area}."):
                    continue
                details = graph.get_import_details(importer=importer, imported=imported)
                lines = tuple((detail["line_number"], detail["line_contents"]) for detail in details)
                reaches.append(Reach(importer, imported, area, lines))
    return sorted(reaches, key=lambda reach: (reach.importer, reach.imported))

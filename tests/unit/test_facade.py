"""The areas' facades: each name a facade exports is the object its module defines, type checkers see
the same imports the facade loads on use, and importing a facade alone loads none of its area."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import subprocess
import sys
from types import ModuleType

import pytest

import retentio
from retentio.facade import exported_names, load_on_use

FACADES = [
    "analytics",
    "api",
    "catalog",
    "customers",
    "events",
    "ingest",
    "loyalty",
    "messaging",
    "offers",
    "orders",
    "schedule",
    "segments",
    "sim",
]


def facade(area: str) -> ModuleType:
    return importlib.import_module(f"retentio.{area}")


def type_checking_imports(module: ModuleType) -> dict[str, tuple[str, str]]:
    """The names the ``if TYPE_CHECKING:`` block imports, with their module and attribute."""
    found: dict[str, tuple[str, str]] = {}
    for node in ast.parse(inspect.getsource(module)).body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom) and statement.module is not None
                for alias in statement.names:
                    found[alias.asname or alias.name] = (statement.module, alias.name)
    return found


def test_every_area_with_a_facade_is_checked_here() -> None:
    packages = {info.name for info in pkgutil.iter_modules(retentio.__path__) if info.ispkg}
    with_facade = {name for name in packages if hasattr(facade(name), "_EXPORTS")}
    assert with_facade == set(FACADES)


@pytest.mark.parametrize("area", FACADES)
def test_a_facade_exports_what_it_loads_and_type_checkers_see(area: str) -> None:
    module = facade(area)
    loads = exported_names(module._EXPORTS)
    assert sorted(module.__all__) == sorted(loads)
    assert type_checking_imports(module) == loads


@pytest.mark.parametrize("area", FACADES)
def test_each_exported_name_is_the_object_of_its_module(area: str) -> None:
    module = facade(area)
    for name, (source, attribute) in exported_names(module._EXPORTS).items():
        assert getattr(module, name) is getattr(importlib.import_module(source), attribute), name


@pytest.mark.parametrize("area", FACADES)
def test_no_exported_name_is_also_a_module_of_the_area(area: str) -> None:
    # once imported, a module is an attribute of its package and would shadow the exported name
    module = facade(area)
    modules = {info.name for info in pkgutil.iter_modules(module.__path__)}
    assert modules.isdisjoint(module.__all__)


def test_importing_the_facades_loads_none_of_their_modules() -> None:
    # given a fresh interpreter
    code = (
        "import sys\n"
        f"for area in {FACADES!r}:\n"
        "    __import__('retentio.' + area)\n"
        "print(*(name for name in sys.modules if name.startswith('retentio.') and name.count('.') > 1))\n"
    )
    # when every facade is imported
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # then no module below an area package is
    assert loaded.stdout.split() == []


def test_a_name_not_exported_is_an_attribute_error() -> None:
    attribute = load_on_use("shop", {"decimal": ["Decimal"]})
    with pytest.raises(AttributeError, match="module 'shop' has no attribute 'Fraction'"):
        attribute("Fraction")


def test_a_renamed_export_gives_the_module_s_attribute() -> None:
    attribute = load_on_use("shop", {"decimal": ["Decimal as Money"]})
    assert attribute("Money") is importlib.import_module("decimal").Decimal
    with pytest.raises(AttributeError):
        attribute("Decimal")

"""The facades contract on a tiny package: a facade import passes, a reach past it is caught."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import grimp
import pytest
from importlinter.cli import lint_imports
from tools.import_contracts import FacadesContract, Reach

# shop.orders is an area with a facade; shop.db is shared; shop.billing uses orders.
SHOP = {
    "shop/__init__.py": "",
    "shop/db/__init__.py": "",
    "shop/db/engine.py": "ENGINE = 'engine'\n",
    "shop/db/schema.py": "from shop.orders import tables\n",
    "shop/orders/__init__.py": "from shop.orders.tables import orders\n",
    "shop/orders/tables.py": "orders = 'orders'\n",
    "shop/orders/store.py": "from shop.orders.tables import orders\n",
    "shop/billing/__init__.py": "",
    "shop/billing/invoice.py": "from shop.db.engine import ENGINE\nfrom shop.orders import orders\n",
}
REACH = "from shop.orders.tables import orders\n"
OPTIONS = {
    "container": "shop",
    "shared_modules": ["shop.db"],
    "ignore_imports": ["shop.db.schema -> shop.*.tables"],
}


@pytest.fixture(autouse=True)
def _loggers_kept() -> Iterator[None]:
    """import-linter's command sets logging up afresh, which disables every logger already made;
    tests that run after this one assert log lines, so each logger gets its state back."""
    loggers = [
        each for each in logging.Logger.manager.loggerDict.values() if isinstance(each, logging.Logger)
    ]
    before = {logger: logger.disabled for logger in loggers}
    yield
    for logger, disabled in before.items():
        logger.disabled = disabled


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[dict[str, str]], grimp.ImportGraph]:
    """Writes the shop with ``extra`` files and returns its import graph."""
    monkeypatch.syspath_prepend(str(tmp_path))

    def build(extra: dict[str, str]) -> grimp.ImportGraph:
        for name, text in {**SHOP, **extra}.items():
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name).write_text(text)
        return grimp.build_graph("shop", cache_dir=None)

    return build


def contract(options: dict[str, object] = OPTIONS) -> FacadesContract:
    return FacadesContract(name="facades", session_options={"root_package": "shop"}, contract_options=options)


def test_imports_of_facades_and_shared_modules_keep_the_contract(
    shop: Callable[..., grimp.ImportGraph],
) -> None:
    # given billing importing the orders facade and a shared module, the schema reaching into tables
    graph = shop({})
    # when
    check = contract().check(graph, verbose=False)
    # then
    assert check.kept
    assert check.ignored_import_count == 1


def test_an_import_below_another_area_s_facade_breaks_it(
    shop: Callable[..., grimp.ImportGraph], capsys: pytest.CaptureFixture[str]
) -> None:
    # given billing reaching into the orders area's tables module
    graph = shop({"shop/billing/totals.py": "import json\n" + REACH})
    # when
    subject = contract()
    check = subject.check(graph, verbose=False)
    subject.render_broken_contract(check)
    # then
    assert not check.kept
    assert check.metadata["reaches"] == [
        Reach("shop.billing.totals", "shop.orders.tables", "shop.orders", ((2, REACH.strip()),))
    ]
    printed = capsys.readouterr().out
    assert "- shop.billing.totals -> shop.orders.tables (l.2)" in printed
    assert "import the names from shop.orders instead" in printed


def test_the_schema_s_reach_breaks_it_unless_ignored(shop: Callable[..., grimp.ImportGraph]) -> None:
    graph = shop({})
    check = contract({"container": "shop", "shared_modules": ["shop.db"]}).check(graph, verbose=False)
    assert [(reach.importer, reach.imported) for reach in check.metadata["reaches"]] == [
        ("shop.db.schema", "shop.orders.tables")
    ]


def test_lint_imports_loads_the_contract_type_from_its_configuration(
    shop: Callable[..., grimp.ImportGraph], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given the shop with a reach, and a configuration naming the contract type as pyproject.toml does
    shop({"shop/billing/totals.py": REACH})
    config = tmp_path / "importlinter.ini"
    config.write_text(
        "[importlinter]\nroot_package = shop\n"
        "contract_types =\n    facades: tools.import_contracts.FacadesContract\n"
        "[importlinter:contract:facades]\nname = Areas import each other only through their facades\n"
        "type = facades\ncontainer = shop\nshared_modules = shop.db\n"
        "ignore_imports = shop.db.schema -> shop.*.tables\n"
    )
    # when
    status = lint_imports(config_filename=str(config), no_cache=True, no_logo=True)
    # then
    assert status == 1
    assert "shop.billing.totals -> shop.orders.tables (l.1)" in capsys.readouterr().out

"""Every example in a docstring runs: the docs cannot drift from the code."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import textwrap
from types import ModuleType

import pytest

import sortkey


def _modules() -> list[str]:
    names = ["sortkey"]
    for info in pkgutil.walk_packages(sortkey.__path__, prefix="sortkey."):
        if info.name.endswith("__main__"):
            continue
        names.append(info.name)
    return sorted(names)


def _database_setup() -> str:
    """The definitions block of ``Database``'s docstring, which its method examples use."""
    from sortkey.client import Database

    doc = Database.__doc__ or ""
    block = doc.split("::\n", 1)[1]
    return textwrap.dedent(block)


# Modules whose examples run on the definitions of another docstring, fresh for each example.
SETUPS = {"sortkey.client": _database_setup}


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples_run(name: str) -> None:
    module: ModuleType = importlib.import_module(name)
    setup = SETUPS.get(name)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS, verbose=False)
    for test in doctest.DocTestFinder().find(module, name):
        if setup is not None and test.examples:
            exec(setup(), test.globs)  # a fresh database for every example
        runner.run(test, out=lambda text: print(text, end=""))
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"

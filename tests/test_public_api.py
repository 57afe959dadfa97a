"""The public namespace: explicit, sorted, documented, importable without botocore."""

from __future__ import annotations

import inspect

import sortkey


def test_all_is_sorted_and_complete() -> None:
    assert sortkey.__all__ == sorted(sortkey.__all__)
    public = {n for n in vars(sortkey) if not n.startswith("_") and not inspect.ismodule(
        getattr(sortkey, n))}
    assert public - {"annotations"} <= set(sortkey.__all__)
    for name in sortkey.__all__:
        assert hasattr(sortkey, name), name


def test_every_public_name_is_documented() -> None:
    for name in sortkey.__all__:
        value = getattr(sortkey, name)
        if callable(value):
            assert inspect.getdoc(value), f"sortkey.{name} has no docstring"

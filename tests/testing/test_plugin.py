"""The sortkey.testing pytest plugin, exercised in a pytester sandbox."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

TEST_FILE = """
from sortkey import Entity, Key, Table

app = Table("Plugin", pk="pk", sk="sk")

class Note(Entity):
    __table__ = app
    __key__ = Key(pk="NOTE#{note_id}", sk="#DATA")
    note_id: str
    text: str

def test_first(sortkey_db, sortkey_tables):
    sortkey_tables(app)
    sortkey_db.create(Note(note_id="n1", text="hello"))
    assert sortkey_db.get(Note, note_id="n1").text == "hello"

def test_second_sees_a_fresh_database(sortkey_db, sortkey_tables):
    sortkey_tables(app)          # would fail with ResourceInUse if the table leaked
    assert sortkey_db.get(Note, note_id="n1") is None
"""


def test_each_test_gets_a_fresh_embedded_database(pytester: pytest.Pytester) -> None:
    pytester.makeconftest('pytest_plugins = ["sortkey.testing"]')
    pytester.makepyfile(TEST_FILE)
    result = pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


@pytest.mark.integration
def test_the_same_tests_run_on_an_endpoint(
    pytester: pytest.Pytester, dynamodb_local: object
) -> None:
    url = dynamodb_local.endpoint_url  # type: ignore[attr-defined]
    pytester.makeconftest('pytest_plugins = ["sortkey.testing"]')
    pytester.makepyfile(TEST_FILE)
    result = pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider", f"--sortkey-url={url}")
    result.assert_outcomes(passed=2)

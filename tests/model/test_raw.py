"""``sortkey.raw``: the stored item travels with the entity it was read as, and only with it."""

from __future__ import annotations

import copy
import pickle

from sortkey._model.entity import Entity
from sortkey._model.item import from_item, raw
from sortkey._model.table import Table
from sortkey._model.template import Key

notes = Table("Notes", pk="pk", sk="sk")


class Note(Entity):
    __table__ = notes
    __key__ = Key(pk="NOTE#{note_id}", sk="#")
    note_id: str
    text: str = ""


ITEM = {"pk": "NOTE#1", "sk": "#", "_type": "Note", "note_id": "1", "text": "hi"}


def test_raw_is_the_item_read_and_a_copy_each_time() -> None:
    note = from_item(Note, ITEM)
    assert note == Note(note_id="1", text="hi")  # the item does not take part in equality
    item = raw(note)
    assert item == ITEM
    assert item is not None
    item["pk"] = "changed"
    assert raw(note) == ITEM


def test_copies_and_new_entities_have_no_item() -> None:
    note = from_item(Note, ITEM)
    assert raw(Note(note_id="1", text="hi")) is None
    assert raw(note.model_copy(update={"text": "edited"})) is None  # not what is stored
    assert raw(copy.deepcopy(note)) is None
    assert raw(pickle.loads(pickle.dumps(note))) is None


def test_many_entities_each_keep_their_own_item() -> None:
    notes_read = [from_item(Note, {**ITEM, "note_id": str(n)}) for n in range(1000)]
    assert [(raw(n) or {})["note_id"] for n in notes_read] == [str(n) for n in range(1000)]

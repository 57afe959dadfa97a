"""Class-definition checks: errors at class creation that point at the class and say the fix."""

from __future__ import annotations

from datetime import datetime

import pytest

from sortkey._model.entity import Entity
from sortkey._model.fields import ID, TTL, Version
from sortkey._model.table import GSI, LSI, Table
from sortkey._model.template import Key
from sortkey.errors import DefinitionError


def table(**kwargs: object) -> Table:
    return Table(
        "T",
        pk="pk",
        sk="sk",
        indexes=[
            GSI("GSI1", pk="gsi1pk", sk="gsi1sk"),
            GSI("multi", pk=["org", "region"]),
            LSI("LSI1", sk="lsi1sk"),
        ],
        **kwargs,  # type: ignore[arg-type]
    )


def test_unknown_template_field_suggests_the_name() -> None:
    with pytest.raises(DefinitionError) as caught:

        class User(Entity):
            __table__ = table()
            __key__ = Key(pk="USER#{userid}", sk="#")
            user_id: str = ID()

    assert str(caught.value) == (
        "User.__key__ pk template 'USER#{userid}' names unknown field 'userid'; "
        "did you mean 'user_id'?"
    )


def define(body: dict[str, object], annotations: dict[str, object]) -> type[Entity]:
    namespace = {"__annotations__": annotations, **body}
    return type("Thing", (Entity,), namespace)


@pytest.mark.parametrize(
    ("body", "annotations", "message"),
    [
        pytest.param(
            {"__key__": Key(pk="A#{a}")},
            {"a": str},
            "no template for key attribute 'sk'",
            id="no-sk",
        ),  # noqa: E501
        pytest.param(
            {"__key__": Key(pk="A#{a}", sk="#"), "__indexes__": {"GSI9": Key(pk="X")}},
            {"a": str},
            "index 'GSI9', which table 'T' does not have",
            id="unknown-index",
        ),  # noqa: E501
        pytest.param(
            {"__key__": Key(pk="A#{a}", sk="#")},
            {"a": str, "pk": str},
            "also a field",
            id="key-clash",
        ),  # noqa: E501
        pytest.param(
            {"__key__": Key(pk="A#{a}", sk="#"), "__indexes__": {"GSI1": Key(pk="{a}")}},
            {"a": str, "gsi1pk": str},
            "also a field",
            id="index-clash",
        ),  # noqa: E501
        pytest.param(
            {"__table__": table(type_attribute="kind"), "__key__": Key(pk="A#{a}", sk="#")},
            {"a": str, "kind": str},
            "library writes",
            id="type-clash",
        ),  # noqa: E501
        pytest.param(
            {"__key__": Key(pk="A#{a}", sk="#"), "__indexes__": {"multi": Key(pk="{a}")}},
            {"a": str},
            "multi-attribute",
            id="template-on-multi",
        ),  # noqa: E501
        pytest.param(
            {"__key__": Key(pk="A#{a}", sk="#"), "__indexes__": {"LSI1": Key(pk="{a}", sk="{a}")}},
            {"a": str},
            "LSI shares",
            id="lsi-pk",
        ),  # noqa: E501
        pytest.param(
            {"__key__": Key(pk="A#{a}", sk="#"), "__indexes__": {"GSI1": Key(sk="{a}")}},
            {"a": str},
            "no template for key attribute 'gsi1pk'",
            id="index-key-without-pk",
        ),
        pytest.param(
            {"__key__": Key(pk="A#{a}", sk="#"), "__indexes__": {"GSI1": Key(pk="{a}")}},
            {"a": str},
            "no template for key attribute 'gsi1sk'",
            id="index-key-without-sk",
        ),
        pytest.param(
            {"__key__": Key(pk="A#{a}", sk="#"), "__indexes__": {"LSI1": Key()}},
            {"a": str},
            "no template for key attribute 'lsi1sk'",
            id="lsi-key-without-sk",
        ),
        pytest.param(
            {"__key__": Key(pk="A#{a}", sk="#"), "__unique__": ("emial",)},
            {"a": str, "email": str},
            "did you mean 'email'",
            id="unique-unknown",
        ),  # noqa: E501
        pytest.param(
            {"__key__": Key(pk="A#{a}", sk="#"), "__unique__": ("a",)},
            {"a": str},
            "primary key",
            id="unique-key",
        ),  # noqa: E501
        pytest.param(
            {"__key__": Key(pk="A#{a}", sk="#"), "expires": TTL()},
            {"a": str, "expires": datetime},
            "no ttl attribute",
            id="ttl-without-table-ttl",
        ),  # noqa: E501
        pytest.param(
            {"__key__": Key(pk="A#{a}", sk="#"), "v": Version()},
            {"a": str, "v": str},
            "must be an int",
            id="version-type",
        ),  # noqa: E501
        pytest.param(
            {"__key__": Key(pk="CONST", sk="#")}, {"a": str}, "uses no field", id="constant-pk"
        ),  # noqa: E501
        pytest.param(
            {"__key__": Key(pk="A#{a}", sk="#")},
            {"a": str, "org": int},
            "declare it as ('org', 'N')",
            id="field-key-type",
        ),  # noqa: E501
    ],
)
def test_definition_errors(
    body: dict[str, object], annotations: dict[str, object], message: str
) -> None:  # noqa: E501
    body = {"__table__": table(), **body}
    with pytest.raises(DefinitionError, match=None) as caught:
        define(body, annotations)
    assert message in str(caught.value)
    assert str(caught.value).startswith("Thing")


@pytest.mark.parametrize(
    ("build", "message"),
    [
        pytest.param(lambda: Table("T", pk="pk", sk="pk"), "both", id="same-pk-sk"),
        pytest.param(
            lambda: Table("T", pk="pk", indexes=[LSI("LSI1", sk="x")]),
            "needs a table with a sort key",
            id="lsi-no-sk",
        ),  # noqa: E501
        pytest.param(
            lambda: Table("T", pk="pk", indexes=[GSI("GSI1", pk="a"), GSI("GSI1", pk="b")]),
            "two indexes",
            id="dup-index",
        ),  # noqa: E501
        pytest.param(
            lambda: Table("T", pk="pk", type_index=GSI("TypeIndex", pk="kind")),
            "type attribute",
            id="type-index-pk",
        ),  # noqa: E501
        pytest.param(
            lambda: Table("T", pk="pk", indexes=[GSI("GSI1", pk=("pk", "N"))]),
            "declared both",
            id="type-conflict",
        ),  # noqa: E501
        pytest.param(lambda: GSI("GSI1", pk=["a", "b", "c", "d", "e"]), "1 to 4", id="too-many"),
        pytest.param(lambda: Table("my table", pk="pk"), "' '", id="table-name-space"),
        pytest.param(lambda: Table("T" * 256, pk="pk"), "1 to 255", id="table-name-long"),
        pytest.param(lambda: GSI("G1", pk="a"), "3 to 255", id="gsi-name-short"),
        pytest.param(lambda: LSI("by/date", sk="d"), "'/'", id="lsi-name-slash"),
        pytest.param(lambda: GSI("Tags", pk="é" * 128), "256 bytes", id="key-name-bytes"),
        pytest.param(lambda: Table("T", pk=("", "S")), "cannot be empty", id="key-name-empty"),
    ],
)
def test_table_errors(build: object, message: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        build()  # type: ignore[operator]
    assert message in str(caught.value)


def test_abstract_base_and_field_keys() -> None:
    users = Table("Users", pk="PK", sk="SK", indexes=[GSI("UserID-index", pk="UserID")])

    class Base(Entity):  # no __table__: shared fields only
        UserID: str

    class Order(Base):
        __table__ = users
        __key__ = Key(pk="USER#{UserID}", sk="ORDER#{OrderID}")
        OrderID: str

    spec = Order.__sortkey__
    assert spec.key_fields == ("UserID", "OrderID")
    assert [s.field for s in spec.indexes["UserID-index"]] == ["UserID"]
    assert "__sortkey__" not in Base.__dict__

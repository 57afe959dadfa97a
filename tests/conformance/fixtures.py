"""The fixture tables cases refer to by name (definition and items).

Read-only cases share one copy per side; writing cases get fresh copies (see ``harness``).
"""

from __future__ import annotations

from typing import Any

from .builders import Num, gsi, item
from .harness import fixture


def _keys(*keys: tuple[str, str, str], extra: dict[str, str] | None = None) -> dict[str, Any]:
    definitions = {n: t for n, t, _ in keys}
    definitions.update(extra or {})
    return {
        "KeySchema": [{"AttributeName": n, "KeyType": k} for n, _, k in keys],
        "AttributeDefinitions": [
            {"AttributeName": n, "AttributeType": t} for n, t in definitions.items()
        ],
        "BillingMode": "PAY_PER_REQUEST",
    }


HS = fixture(
    "hs",
    _keys(("pk", "S", "HASH")),
    [
        item(
            {
                "pk": "a",
                "n": 1,
                "s": "alpha",
                "l": [1, "two", None],
                "m": {"x": 1, "y": {"z": "deep"}},
            }
        ),
        item(
            {"pk": "b", "n": 2, "s": "beta", "ss": {"red", "green"}, "ns": {1, 2, 3}, "bool": True}
        ),
        item(
            {
                "pk": "c",
                "n": 3,
                "s": "gamma",
                "bin": b"\x00\x01",
                "bs": {b"\x01", b"\x02"},
                "nul": None,
            }
        ),
        item({"pk": "d", "n": -4, "s": "delta", "empty": "", "eb": b""}),
        item({"pk": "e", "s": "epsilon", "n": Num("3.14"), "l": [], "m": {}}),
        item({"pk": "f", "n": 10, "color": "red", "size": 5, "Name": "upper"}),
    ],
)

HN = fixture(
    "hn",
    _keys(("id", "N", "HASH")),
    [item({"id": i, "v": f"v{i}"}) for i in (1, 2, 3, 10, -5)],
)

HB = fixture(
    "hb",
    _keys(("id", "B", "HASH")),
    [item({"id": b, "v": i}) for i, b in enumerate([b"\x00", b"\x01\x02", b"\xff", b"abc"])],
)

HR = fixture(
    "hr",
    _keys(("pk", "S", "HASH"), ("sk", "N", "RANGE")),
    [
        item(
            {
                "pk": "a",
                "sk": i,
                "n": i * 10,
                "s": f"x{i:02d}",
                "odd": i % 2 == 1,
                "tags": {f"t{i % 3}"},
            }
        )
        for i in range(1, 13)
    ]
    + [item({"pk": "b", "sk": i, "n": i, "s": f"y{i}"}) for i in range(1, 4)]
    + [item({"pk": "c", "sk": 0, "n": 0})],
)

STRING_SORT_KEYS = [
    "a",
    "B",
    "b",
    "aa",
    "ä",
    "é",
    "z",
    "~",
    "a b",
    "10",
    "9",
    "2",
    "Z",
    "\U0001f600",
    "ab",
]
HRS = fixture(
    "hrs",
    _keys(("pk", "S", "HASH"), ("sk", "S", "RANGE")),
    [item({"pk": "p", "sk": s, "i": i}) for i, s in enumerate(STRING_SORT_KEYS)],
)

BINARY_SORT_KEYS = [
    b"\x00",
    b"\xff",
    b"\x7f",
    b"\x80",
    b"\x00\x00",
    b"a",
    b"A",
    b"\x01",
    b"\xfe\xff",
]
HRB = fixture(
    "hrb",
    _keys(("pk", "B", "HASH"), ("sk", "B", "RANGE")),
    [item({"pk": b"p", "sk": s, "i": i}) for i, s in enumerate(BINARY_SORT_KEYS)],
)

NUMBER_SORT_KEYS = [
    "-1E+10",
    "-5.5",
    "-1",
    "0",
    "0.001",
    "1",
    "1.5",
    "2",
    "10",
    "100",
    "1E+100",
    "-1E-100",
    "99999999999999999999999999999999999999",
    "-0.5",
]
HRN = fixture(
    "hrn",
    _keys(("pk", "S", "HASH"), ("sk", "N", "RANGE")),
    [item({"pk": "p", "sk": Num(s), "i": i}) for i, s in enumerate(NUMBER_SORT_KEYS)],
)

IDX = fixture(
    "idx",
    {
        **_keys(
            ("pk", "S", "HASH"),
            ("sk", "S", "RANGE"),
            extra={"lsk": "S", "lsk2": "N", "gpk": "S", "gsk": "N", "gpk2": "S"},
        ),
        "LocalSecondaryIndexes": [
            gsi("lsi_all", "pk", "lsk"),
            gsi("lsi_keys", "pk", "lsk2", "KEYS_ONLY"),
        ],
        "GlobalSecondaryIndexes": [
            gsi("gsi_all", "gpk", "gsk"),
            gsi("gsi_keys", "gpk", None, "KEYS_ONLY"),
            gsi("gsi_incl", "gpk2", "gsk", "INCLUDE", ["color"]),
        ],
    },
    [
        item(
            {
                "pk": "u1",
                "sk": "a",
                "lsk": "m",
                "lsk2": 3,
                "gpk": "G1",
                "gsk": 5,
                "color": "red",
                "size": 1,
            }
        ),
        item(
            {
                "pk": "u1",
                "sk": "b",
                "lsk": "c",
                "lsk2": 1,
                "gpk": "G1",
                "gsk": 2,
                "color": "blue",
                "size": 2,
            }
        ),
        item(
            {
                "pk": "u1",
                "sk": "c",
                "lsk": "x",
                "gpk": "G2",
                "gsk": 9,
                "gpk2": "H",
                "color": "green",
            }
        ),
        item({"pk": "u1", "sk": "d", "size": 4}),
        item(
            {
                "pk": "u2",
                "sk": "a",
                "lsk": "a",
                "lsk2": 7,
                "gpk2": "H",
                "gsk": 1,
                "color": "red",
                "size": 5,
            }
        ),
        item({"pk": "u2", "sk": "b", "gpk": "G1", "gsk": 7, "gpk2": "H", "size": 6}),
        item({"pk": "u3", "sk": "a", "gpk": "G3", "gsk": Num("-1"), "color": "blue"}),
    ],
)

MULTI = fixture(
    "multi",
    {
        **_keys(
            ("pk", "S", "HASH"),
            extra={"org": "S", "area": "S", "status": "S", "created": "N"},
        ),
        "GlobalSecondaryIndexes": [
            gsi("byOrg", ["org", "area"], ["status", "created"]),
            gsi("byOrgOnly", ["org"], ["status"], "KEYS_ONLY"),
        ],
    },
    [
        item({"pk": "o1", "org": "acme", "area": "eu", "status": "open", "created": 3}),
        item({"pk": "o2", "org": "acme", "area": "eu", "status": "open", "created": 1}),
        item({"pk": "o3", "org": "acme", "area": "eu", "status": "closed", "created": 2}),
        item({"pk": "o4", "org": "acme", "area": "us", "status": "open", "created": 5}),
        item({"pk": "o5", "org": "acme", "area": "eu", "status": "open"}),
        item({"pk": "o6", "org": "beta", "area": "eu", "status": "open", "created": 4}),
        item({"pk": "o7", "org": "acme", "status": "open", "created": 9}),
    ],
)

_BLOB = "x" * 50_000
BIG = fixture(
    "big",
    _keys(("pk", "S", "HASH"), ("sk", "N", "RANGE")),
    [item({"pk": "p", "sk": i, "blob": _BLOB}) for i in range(30)]
    + [item({"pk": f"q{i}", "sk": 0, "blob": _BLOB}) for i in range(10)],
)

MANY = fixture(
    "many",
    _keys(("pk", "S", "HASH")),
    [item({"pk": f"k{i:03d}", "n": i, "grp": "even" if i % 2 == 0 else "odd"}) for i in range(120)],
)

PROV = fixture(
    "prov",
    {
        **_keys(("pk", "S", "HASH"), extra={"g": "S"}),
        "BillingMode": "PROVISIONED",
        "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
        "GlobalSecondaryIndexes": [
            {
                **gsi("byG", "g"),
                "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 3},
            }
        ],
    },
    [item({"pk": "a", "g": "x"})],
)

EMPTY = fixture("empty", _keys(("pk", "S", "HASH"), ("sk", "S", "RANGE")))

"""Control plane: CreateTable, DeleteTable, DescribeTable, ListTables, UpdateTable and TTL.

Tables are ACTIVE as soon as they exist; messages are DynamoDB Local's.
"""

from __future__ import annotations

import time
from typing import Any

from ..errors import EngineError, validation
from ..expressions.context import java_hash_set_order
from ..storage import decode_item
from .catalog import Catalog
from .common import INVALID_NAME, check_name, require, table_name
from .schema import ACCOUNT_ARN, IndexSchema, TableSchema

_TYPES = ("B", "N", "S")
_PROJECTIONS = ("ALL", "KEYS_ONLY", "INCLUDE")
_INVALID_NAME = INVALID_NAME


def _check_create_name(name: Any) -> None:
    try:
        check_name(name, "tableName")
    except EngineError as exc:
        if exc.code == "ValidationException":
            raise validation(_INVALID_NAME) from None
        raise


def _split_key_schema(
    key_schema: Any, *, max_hash: int, max_range: int
) -> tuple[list[str], list[str]]:
    """Hash and range attribute names of a KeySchema, checked in DynamoDB Local's order."""
    if not isinstance(key_schema, list) or not key_schema:
        raise validation(
            "No defined key schema.  A key schema containing at least a hash key must be "
            "defined for all tables"
        )
    hashes: list[str] = []
    ranges: list[str] = []
    for element in key_schema:
        kind = element.get("KeyType")
        name = element.get("AttributeName")
        if kind == "HASH":
            if ranges:
                raise validation(
                    "Invalid key order. Hash Key must be specified first in key schema, Range "
                    "Key must be specifed second"
                )
            hashes.append(name)
        elif kind == "RANGE":
            ranges.append(name)
        else:
            raise validation(
                f"1 validation error detected: Value '{kind}' at 'keySchema.member.keyType' "
                "failed to satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]"
            )
    if not hashes:
        raise validation(
            "No Hash Key specified in schema.  All Dynamo DB tables must have exactly one hash key"
        )
    if max_hash == 1 and len(hashes) > 1:
        raise validation(
            "Too many hash keys specified.  All Dynamo DB tables must have exactly one hash key"
        )
    if len(hashes) > max_hash:
        raise validation(f"Too many partition keys. GSI can have at most {max_hash} partition keys")
    if len(ranges) > max_range:
        if max_range == 1:
            raise validation(
                "Key Schema too big.  Key Schema must at most consist of the hash and range key "
                "of a table"
            )
        raise validation(f"Too many sort keys. GSI can have at most {max_range} sort keys")
    names = hashes + ranges
    if len(set(names)) != len(names):
        raise validation("Two keys can not have the same name")
    return hashes, ranges


def _check_throughput(throughput: Any, what: str) -> dict[str, Any]:
    if not isinstance(throughput, dict):
        raise validation(f"No provisioned throughput specified for the {what}")
    read = throughput.get("ReadCapacityUnits")
    write = throughput.get("WriteCapacityUnits")
    if not isinstance(read, int) or not isinstance(write, int) or read < 1 or write < 1:
        label = "Table" if what == "table" else "Index"
        raise validation(
            f"{label} read and write throughput must be at least 1, and cannot be null"
        )
    return {"ReadCapacityUnits": read, "WriteCapacityUnits": write}


def _check_projection(projection: Any) -> dict[str, Any]:
    if not isinstance(projection, dict) or "ProjectionType" not in projection:
        raise validation("Indexes must have a projection specified")
    kind = projection["ProjectionType"]
    if kind not in _PROJECTIONS:
        raise validation(
            f"1 validation error detected: Value '{kind}' at 'projection.projectionType' failed "
            "to satisfy constraint: Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]"
        )
    extra = projection.get("NonKeyAttributes")
    if kind == "INCLUDE":
        if not extra:
            raise validation(
                "If Projection type INCLUDE is specified, some non-key attributes to include in "
                "the projection must be specified as well"
            )
        return {"ProjectionType": kind, "NonKeyAttributes": list(extra)}
    if extra:
        raise validation(
            "No attributes should be specified to be projected unless projection type is INCLUDE"
        )
    return {"ProjectionType": kind}


def _build_index(
    spec: dict[str, Any],
    *,
    local: bool,
    schema: TableSchema,
    defined: dict[str, str],
    number: int,
    provisioned: bool,
) -> IndexSchema:
    name = spec.get("IndexName")
    try:
        check_name(name, "indexName")
    except EngineError:
        raise validation(_INVALID_NAME) from None
    assert isinstance(name, str)
    if local:
        hashes, ranges = _split_key_schema(spec.get("KeySchema"), max_hash=1, max_range=1)
        if hashes[0] != schema.hash_key:
            raise validation(
                "Local Secondary indices must have the same hash key as the main table"
            )
        if not ranges:
            raise validation("Local Secondary indices must have a range key")
    else:
        hashes, ranges = _split_key_schema(spec.get("KeySchema"), max_hash=4, max_range=4)
    for attr in hashes + ranges:
        if attr not in defined:
            raise validation(f"Attribute {attr} is not defined in AttributeDefinitions")
    projection = _check_projection(spec.get("Projection"))
    throughput = None
    if not local and provisioned:
        throughput = _check_throughput(spec.get("ProvisionedThroughput"), "global secondary index")
    return IndexSchema(
        name=name,
        local=local,
        number=number,
        hash_attrs=hashes,
        range_attrs=ranges,
        projection=projection,
        throughput=throughput,
    )


def create_table(catalog: Catalog, params: dict[str, Any]) -> dict[str, Any]:
    """CreateTable."""
    name = params.get("TableName")
    _check_create_name(name)
    assert isinstance(name, str)
    definitions = params.get("AttributeDefinitions") or []
    key_schema = params.get("KeySchema")
    billing = params.get("BillingMode") or "PROVISIONED"
    if billing not in ("PROVISIONED", "PAY_PER_REQUEST"):
        raise validation(
            f"1 validation error detected: Value '{billing}' at 'billingMode' failed to satisfy "
            "constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]"
        )
    throughput = None
    if billing == "PROVISIONED":
        throughput = _check_throughput(params.get("ProvisionedThroughput"), "table")
    if not definitions:
        raise validation("No Attribute Schema Defined")
    defined: dict[str, str] = {}
    for d in definitions:
        attr_type = d.get("AttributeType")
        if attr_type not in _TYPES:
            raise validation("Member must satisfy enum value set: [B, N, S]")
        if d.get("AttributeName") in defined:
            raise validation("Cannot have two attributes with the same name")
        defined[str(d.get("AttributeName"))] = attr_type
    hashes, ranges = _split_key_schema(key_schema, max_hash=1, max_range=1)
    if hashes[0] not in defined:
        raise validation("Hash Key not specified in Attribute Definitions.  Type unknown.")
    if ranges and ranges[0] not in defined:
        raise validation("Range Key not specified in Attribute Definitions.  Type unknown.")
    gsis = params.get("GlobalSecondaryIndexes")
    lsis = params.get("LocalSecondaryIndexes")
    if gsis is not None and not gsis:
        raise validation("GSI list is empty/invalid")
    if lsis is not None and not lsis:
        raise validation("LSI list is empty/invalid")
    schema = TableSchema(
        id=0,
        name=name,
        hash_key=hashes[0],
        range_key=ranges[0] if ranges else None,
        attribute_types=defined,
        attribute_definitions=[
            {"AttributeName": d["AttributeName"], "AttributeType": d["AttributeType"]}
            for d in definitions
        ],
        created=round(time.time(), 3),
        billing_mode=billing,
        throughput=throughput,
        deletion_protection=bool(params.get("DeletionProtectionEnabled", False)),
    )
    used = set(schema.key_names)
    if lsis:
        if len(lsis) > 5:
            raise validation("Cannot have more than 5 local secondary indexes per table")
        if schema.range_key is None:
            raise validation(
                "Local Secondary indices are not allowed on hash tables, only hash and range tables"
            )
        for spec in lsis:
            index = _build_index(
                spec,
                local=True,
                schema=schema,
                defined=defined,
                number=schema.next_index_number,
                provisioned=False,
            )
            if index.name in schema.indexes:
                raise validation("Two local secondary indices have the same name")
            schema.indexes[index.name] = index
            schema.next_index_number += 1
            used.update(index.key_names)
    for spec in gsis or []:
        index = _build_index(
            spec,
            local=False,
            schema=schema,
            defined=defined,
            number=schema.next_index_number,
            provisioned=billing == "PROVISIONED",
        )
        if index.name in schema.indexes:
            if schema.indexes[index.name].local:
                raise validation("Index names must be unique across the table")
            raise validation("Two global secondary indices have the same name")
        schema.indexes[index.name] = index
        schema.next_index_number += 1
        used.update(index.key_names)
    if set(defined) != used:
        raise validation(
            "The number of attributes in key schema must match the number of attributes "
            "defined in attribute definitions."
        )
    stream = params.get("StreamSpecification")
    if stream and stream.get("StreamEnabled"):
        schema.stream = {"StreamEnabled": True, "StreamViewType": stream.get("StreamViewType")}
    if name in catalog.tables:
        raise EngineError("ResourceInUseException", "Cannot create preexisting table")
    with catalog.storage.transaction():
        schema.id = catalog.storage.insert_table(name, schema.to_json())
    catalog.tables[name] = schema
    return {"TableDescription": describe(catalog, schema)}


def describe(
    catalog: Catalog, schema: TableSchema, transients: dict[str, str] | None = None
) -> dict[str, Any]:
    """The TableDescription DynamoDB returns for a table.

    ``transients`` maps index names to the status UpdateTable reports them in.
    """
    count, size = catalog.storage.table_stats(schema.id)
    arn = ACCOUNT_ARN + schema.name
    out: dict[str, Any] = {
        "AttributeDefinitions": [dict(d) for d in schema.attribute_definitions],
        "TableName": schema.name,
        "KeySchema": [{"AttributeName": schema.hash_key, "KeyType": "HASH"}]
        + (
            [{"AttributeName": schema.range_key, "KeyType": "RANGE"}]
            if schema.range_key is not None
            else []
        ),
        "TableStatus": "ACTIVE",
        "CreationDateTime": schema.created,
        "ProvisionedThroughput": {
            "LastIncreaseDateTime": 0.0,
            "LastDecreaseDateTime": 0.0,
            "NumberOfDecreasesToday": 0,
            "ReadCapacityUnits": (schema.throughput or {}).get("ReadCapacityUnits", 0),
            "WriteCapacityUnits": (schema.throughput or {}).get("WriteCapacityUnits", 0),
        },
        "TableSizeBytes": size,
        "ItemCount": count,
        "TableArn": arn,
        "DeletionProtectionEnabled": schema.deletion_protection,
    }
    if schema.billing_mode == "PAY_PER_REQUEST":
        out["BillingModeSummary"] = {
            "BillingMode": "PAY_PER_REQUEST",
            "LastUpdateToPayPerRequestDateTime": schema.created,
        }
    elif schema.billing_changed:
        out["BillingModeSummary"] = {"BillingMode": "PROVISIONED"}
    gsis = []
    lsis = []
    for index in schema.indexes.values():
        entries, index_size = catalog.storage.index_stats(schema.id, index.number)
        entry: dict[str, Any] = {
            "IndexName": index.name,
            "KeySchema": index.key_schema,
            "Projection": {
                k: list(v) if isinstance(v, list) else v for k, v in index.projection.items()
            },
            "IndexSizeBytes": index_size,
            "ItemCount": entries,
            "IndexArn": f"{arn}/index/{index.name}",
        }
        if index.local:
            lsis.append(entry)
            continue
        entry["IndexStatus"] = "ACTIVE"
        if index.throughput is not None:
            entry["ProvisionedThroughput"] = dict(index.throughput)
        if index.on_demand:
            entry["OnDemandThroughput"] = {"MaxReadRequestUnits": -1, "MaxWriteRequestUnits": -1}
        transient = (transients or {}).get(index.name)
        if transient is not None:
            # DynamoDB Local answers UpdateTable with the index still CREATING / DELETING.
            entry["IndexStatus"] = transient
            if transient == "CREATING":
                entry["Backfilling"] = False
                del entry["IndexSizeBytes"], entry["ItemCount"]
            else:
                entry["IndexSizeBytes"] = entry["ItemCount"] = 0
        gsis.append(entry)
    if gsis:
        out["GlobalSecondaryIndexes"] = gsis
    if lsis:
        out["LocalSecondaryIndexes"] = lsis
    if schema.stream:
        out["StreamSpecification"] = dict(schema.stream)
    return out


def describe_table(catalog: Catalog, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeTable."""
    schema = catalog.table(table_name(params))
    return {"Table": describe(catalog, schema)}


def delete_table(catalog: Catalog, params: dict[str, Any]) -> dict[str, Any]:
    """DeleteTable: the description (as it was) is returned, the data dropped."""
    schema = catalog.table(table_name(params))
    if schema.deletion_protection:
        raise validation(
            "Resource cannot be deleted as it is currently protected against deletion. Disable "
            "deletion protection first."
        )
    description = describe(catalog, schema)
    with catalog.storage.transaction():
        catalog.storage.drop_table(schema.id)
    del catalog.tables[schema.name]
    return {"TableDescription": description}


def list_tables(catalog: Catalog, params: dict[str, Any]) -> dict[str, Any]:
    """ListTables, in name order, paginated by Limit / ExclusiveStartTableName."""
    limit = params.get("Limit", 100)
    if not isinstance(limit, int) or limit < 1:
        raise validation("Limit must be greater than or equal to 1")
    if limit > 100:
        raise validation("Limit in ListTables must be <= 100")
    start = params.get("ExclusiveStartTableName")
    if start is not None:
        _check_create_name(start)
    names = sorted(catalog.tables)
    if start is not None:
        names = [n for n in names if n > start]
    page = names[:limit]
    out: dict[str, Any] = {"TableNames": page}
    if len(names) > limit:
        out["LastEvaluatedTableName"] = page[-1]
    return out


def update_table(catalog: Catalog, params: dict[str, Any]) -> dict[str, Any]:
    """UpdateTable: billing mode, throughput, deletion protection, GSI create/delete."""
    # Work on a copy: the catalog keeps the old definition if anything below fails.
    current = catalog.table(table_name(params))
    schema = TableSchema.from_json(current.id, current.to_json())
    new_defs = params.get("AttributeDefinitions") or []
    updates = params.get("GlobalSecondaryIndexUpdates") or []
    billing = params.get("BillingMode")
    changed = False
    transients: dict[str, str] = {}
    deleted: list[Any] = []
    if len(updates) > 1:
        raise EngineError(
            "LimitExceededException",
            "Subscriber limit exceeded: Only 1 online index can be created or deleted "
            "simultaneously per table",
        )
    with catalog.storage.transaction():
        if billing is not None:
            if billing not in ("PROVISIONED", "PAY_PER_REQUEST"):
                raise validation(
                    f"1 validation error detected: Value '{billing}' at 'billingMode' failed to "
                    "satisfy constraint: Member must satisfy enum value set: "
                    "[PROVISIONED, PAY_PER_REQUEST]"
                )
            if billing == "PROVISIONED":
                schema.throughput = _check_throughput(params.get("ProvisionedThroughput"), "table")
            else:
                schema.throughput = None
            schema.billing_mode = billing
            schema.billing_changed = True
            changed = True
        elif params.get("ProvisionedThroughput") is not None:
            schema.throughput = _check_throughput(params["ProvisionedThroughput"], "table")
            changed = True
        if params.get("DeletionProtectionEnabled") is not None:
            schema.deletion_protection = bool(params["DeletionProtectionEnabled"])
            changed = True
        for update in updates:
            if "Create" in update:
                _create_gsi(catalog, schema, update["Create"], new_defs)
                transients[update["Create"].get("IndexName")] = "CREATING"
            elif "Delete" in update:
                index_name = update["Delete"].get("IndexName")
                index = schema.indexes.get(index_name)
                if index is None or index.local:
                    raise EngineError("ResourceNotFoundException", "Requested resource not found")
                deleted.append(index)
                del schema.indexes[index_name]
                catalog.storage.drop_index(schema.id, index.number)
                _drop_unused_definitions(schema)
            elif "Update" in update:
                index_name = update["Update"].get("IndexName")
                index = schema.indexes.get(index_name)
                if index is None or index.local:
                    raise EngineError("ResourceNotFoundException", "Requested resource not found")
                if schema.billing_mode == "PROVISIONED":
                    index.throughput = _check_throughput(
                        update["Update"].get("ProvisionedThroughput"), "global secondary index"
                    )
            changed = True
        if params.get("StreamSpecification") is not None:
            stream = params["StreamSpecification"]
            schema.stream = (
                {"StreamEnabled": True, "StreamViewType": stream.get("StreamViewType")}
                if stream.get("StreamEnabled")
                else None
            )
            changed = True
        if not changed:
            raise validation("Nothing to update")
        if updates:
            # DynamoDB Local lists the definitions in its HashSet order after an index change.
            order = java_hash_set_order([d["AttributeName"] for d in schema.attribute_definitions])
            by_name = {d["AttributeName"]: d for d in schema.attribute_definitions}
            schema.attribute_definitions = [by_name[n] for n in order]
        catalog.save(schema)
    catalog.tables[schema.name] = schema
    if deleted:
        # The answer still shows the deleted index, DELETING.
        shown = TableSchema.from_json(schema.id, schema.to_json())
        for index in deleted:
            shown.indexes[index.name] = index
            transients[index.name] = "DELETING"
        return {"TableDescription": describe(catalog, shown, transients)}
    return {"TableDescription": describe(catalog, schema, transients)}


def _create_gsi(
    catalog: Catalog, schema: TableSchema, spec: dict[str, Any], new_defs: list[dict[str, Any]]
) -> None:
    defined = dict(schema.attribute_types)
    for d in new_defs:
        name = str(d.get("AttributeName"))
        attr_type = d.get("AttributeType")
        if attr_type not in _TYPES:
            raise validation("Member must satisfy enum value set: [B, N, S]")
        if name in defined and defined[name] != attr_type:
            raise validation(
                f"Cannot change the type of attribute {name} (defined as {defined[name]})"
            )
        defined[name] = attr_type
    if spec.get("IndexName") in schema.indexes:
        raise validation("Attempting to create an index which already exists")
    if not new_defs:
        raise validation("No Attribute Schema Defined")
    index = _build_index(
        spec,
        local=False,
        schema=schema,
        defined=defined,
        number=schema.next_index_number,
        provisioned=schema.billing_mode == "PROVISIONED",
    )
    schema.next_index_number += 1
    index.on_demand = schema.billing_mode == "PAY_PER_REQUEST"
    for name in index.key_names:
        if name not in schema.attribute_types:
            schema.attribute_types[name] = defined[name]
            schema.attribute_definitions.append(
                {"AttributeName": name, "AttributeType": defined[name]}
            )
    schema.indexes[index.name] = index
    # Backfill: every existing item that has the index keys with the declared types.
    rows = list(catalog.storage.all_items(schema.id))
    for hk, rk, text, size in rows:
        entry = schema.index_key(index, decode_item(text), (hk, rk))
        if entry is not None:
            catalog.storage.add_entry(schema.id, index.number, entry, size)


def _drop_unused_definitions(schema: TableSchema) -> None:
    used = set(schema.key_names)
    for index in schema.indexes.values():
        used.update(index.key_names)
    schema.attribute_definitions = [
        d for d in schema.attribute_definitions if d["AttributeName"] in used
    ]
    schema.attribute_types = {k: v for k, v in schema.attribute_types.items() if k in used}


def update_time_to_live(catalog: Catalog, params: dict[str, Any]) -> dict[str, Any]:
    """UpdateTimeToLive."""
    current = catalog.table(table_name(params))
    schema = TableSchema.from_json(current.id, current.to_json())
    spec = require(params, "TimeToLiveSpecification", "timeToLiveSpecification")
    enabled = spec.get("Enabled")
    attribute = spec.get("AttributeName")
    if not isinstance(attribute, str) or not attribute or len(attribute) > 255:
        raise validation(
            "Names of key attributes and attributes projected into an index must be between 1 "
            "and 255 characters, inclusive"
        )
    if enabled:
        if schema.ttl_attribute is not None:
            if schema.ttl_attribute == attribute:
                raise validation("TimeToLive is already enabled")
            raise validation("TimeToLive is active on a different AttributeName")
        schema.ttl_attribute = attribute
    else:
        if schema.ttl_attribute is None:
            raise validation("TimeToLive is already disabled")
        if schema.ttl_attribute != attribute:
            raise validation("TimeToLive is active on a different AttributeName")
        schema.ttl_attribute = None
    with catalog.storage.transaction():
        catalog.save(schema)
    catalog.tables[schema.name] = schema
    return {"TimeToLiveSpecification": {"Enabled": bool(enabled), "AttributeName": attribute}}


def describe_time_to_live(catalog: Catalog, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeTimeToLive."""
    schema = catalog.table(table_name(params))
    if schema.ttl_attribute is None:
        return {"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}}
    return {
        "TimeToLiveDescription": {
            "TimeToLiveStatus": "ENABLED",
            "AttributeName": schema.ttl_attribute,
        }
    }

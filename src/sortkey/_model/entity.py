"""Entities: Pydantic models bound to a table, with keys derived from their fields.

An :class:`Entity` subclass with a ``__table__`` is checked when the class is created: every
template field exists, every index is on the table, no field collides with an attribute the
library writes. The result is an :class:`EntitySpec` (``cls.__sortkey__``), which everything
else (item conversion, requests) reads; nothing here does I/O.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from types import UnionType
from typing import Annotated, Any, ClassVar, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, TypeAdapter
from pydantic import ValidationError as PydanticValidationError
from pydantic.fields import FieldInfo

from ..errors import DefinitionError, InvalidInput
from .fields import Epoch, FieldRole
from .table import GSI, LSI, KeyAttribute, Table
from .template import Key, Template

__all__ = ["AttributeSource", "Entity", "EntitySpec", "spec_of"]


@dataclass(frozen=True)
class AttributeSource:
    """Where a key attribute's value comes from: a template, or a field of the same name."""

    attribute: KeyAttribute
    template: Template | None = None
    field: str | None = None

    @cached_property
    def fields(self) -> tuple[str, ...]:
        """The entity fields this attribute is computed from."""
        if self.template is not None:
            return self.template.field_names
        return (self.field,) if self.field else ()


@dataclass
class EntitySpec:
    """Everything the library needs to know about an entity class, computed once."""

    cls: type[Entity]
    table: Table
    type_name: str
    key: tuple[AttributeSource, ...]
    #: index name → its key attribute sources (only the attributes this entity fills).
    indexes: dict[str, tuple[AttributeSource, ...]]
    unique: tuple[str, ...]
    roles: dict[str, FieldRole]
    field_names: tuple[str, ...]
    _adapters: dict[str, TypeAdapter[Any]] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        return self.cls.__name__

    @cached_property
    def key_fields(self) -> tuple[str, ...]:
        """Fields that make up the primary key: they can never change."""
        return tuple(dict.fromkeys(f for s in self.key for f in s.fields))

    @cached_property
    def templated(self) -> dict[str, AttributeSource]:
        """Every attribute computed from a template (primary and index keys) by name."""
        out: dict[str, AttributeSource] = {}
        for source in self.key:
            if source.template is not None:
                out[source.attribute.name] = source
        for sources in self.indexes.values():
            for source in sources:
                if source.template is not None:
                    out[source.attribute.name] = source
        return out

    @cached_property
    def internal_attributes(self) -> frozenset[str]:
        """Attributes written by the library, stripped from entities on read."""
        return frozenset(self.templated) | self.table.internal_attributes

    def role_fields(self, role: str) -> tuple[str, ...]:
        return tuple(n for n, r in self.roles.items() if r.role == role)

    @cached_property
    def version_field(self) -> str | None:
        found = self.role_fields("version")
        return found[0] if found else None

    @cached_property
    def ttl_field(self) -> str | None:
        found = self.role_fields("ttl")
        return found[0] if found else None

    def is_epoch(self, name: str) -> bool:
        role = self.roles.get(name)
        return role is not None and role.epoch

    def adapter(self, name: str) -> TypeAdapter[Any]:
        adapter = self._adapters.get(name)
        if adapter is None:
            info = self.cls.model_fields[name]
            annotation: Any = info.annotation
            adapter = TypeAdapter(annotation)
            self._adapters[name] = adapter
        return adapter

    def coerce(self, name: str, value: object) -> Any:
        """Validate one field value against the field's type (for keys and updates)."""
        if name not in self.cls.model_fields:
            raise InvalidInput(
                f"{self.name} has no field {name!r}{_suggest(name, self.field_names)}"
            )
        try:
            return self.adapter(name).validate_python(value)
        except PydanticValidationError as exc:
            detail = exc.errors()[0].get("msg", str(exc))
            raise InvalidInput(f"{self.name}.{name}: {value!r} is not valid: {detail}") from None


def _suggest(name: str, options: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(name, list(options), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def spec_of(entity: type[Entity] | Entity) -> EntitySpec:
    """The :class:`EntitySpec` of an entity class or instance."""
    cls = entity if isinstance(entity, type) else type(entity)
    spec = cls.__dict__.get("__sortkey__")
    if not isinstance(spec, EntitySpec):
        raise InvalidInput(
            f"{cls.__name__} is not bound to a table; give it a __table__ to read or write it"
        )
    return spec


class Entity(BaseModel):
    """Base class of typed items: a Pydantic model with a table, a type and key templates.

    Class attributes (all optional but ``__table__``):

    * ``__table__``: the :class:`~sortkey.Table` the entity lives in. A subclass without one is
      an abstract base (shared fields), never stored.
    * ``__type__``: the value of the table's type attribute (default: the class name).
    * ``__key__``: a :class:`~sortkey.Key` of templates for the table's key attributes; an
      attribute that is itself a field needs no template.
    * ``__indexes__``: index name → :class:`~sortkey.Key` for that index's key attributes.
    * ``__unique__``: fields whose values must be unique across the entity type.

    Example:
        >>> from sortkey._model.table import Table
        >>> app = Table("Doc", pk="pk", sk="sk")
        >>> class Note(Entity):
        ...     __table__ = app
        ...     __key__ = Key(pk="NOTE#{note_id}", sk="#META")
        ...     note_id: str
        ...     text: str = ""
        >>> Note.__sortkey__.key_fields
        ('note_id',)
    """

    model_config = ConfigDict(extra="ignore", arbitrary_types_allowed=False)
    # The stored item, for sortkey.raw(); set by reads and writes (see _model/item.py).
    __slots__ = ("__sortkey_item__",)

    __table__: ClassVar[Table]
    __type__: ClassVar[str]
    __key__: ClassVar[Key]
    __indexes__: ClassVar[Mapping[str, Key]]
    __unique__: ClassVar[tuple[str, ...]]
    __sortkey__: ClassVar[EntitySpec]

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        table = getattr(cls, "__table__", None)
        if table is None:
            return  # an abstract base: shared fields only
        spec = _build_spec(cls, table)
        type.__setattr__(cls, "__sortkey__", spec)
        table.register(spec.type_name, cls)


# --------------------------------------------------------------------------- definition checks


def _markers(info: FieldInfo) -> list[Any]:
    """The field's metadata, plus markers inside a union: ``Annotated[datetime, Epoch()] | None``.

    Pydantic lifts ``Annotated`` metadata into ``info.metadata`` only when it is outermost;
    inside ``X | None`` it stays in the annotation, where a marker would be silently lost.
    """
    found = list(info.metadata)
    if get_origin(info.annotation) in (Union, UnionType):
        for member in get_args(info.annotation):
            if get_origin(member) is Annotated:
                found.extend(member.__metadata__)
    return found


def _roles(cls: type[Entity]) -> dict[str, FieldRole]:
    roles: dict[str, FieldRole] = {}
    for name, info in cls.model_fields.items():
        for marker in _markers(info):
            if isinstance(marker, FieldRole):
                roles[name] = marker
            elif isinstance(marker, Epoch):
                roles.setdefault(name, FieldRole("epoch", epoch=True))
    return roles


def _check_aliases(cls: type[Entity], fields: Mapping[str, FieldInfo]) -> None:
    for name, info in fields.items():
        if info.alias not in (None, name) or info.validation_alias not in (None, name):
            raise DefinitionError(
                f"{cls.__name__}.{name}: field aliases are not supported; name the field as "
                "the attribute is stored"
            )


def _check_template(cls: type[Entity], where: str, template: Template) -> None:
    names = tuple(cls.model_fields)
    for name in template.field_names:
        if name not in cls.model_fields:
            raise DefinitionError(
                f"{cls.__name__}.{where} template {template.text!r} names unknown field "
                f"{name!r}{_suggest(name, names)}"
            )


def _source(
    cls: type[Entity],
    where: str,
    attribute: KeyAttribute,
    template: Template | None,
) -> AttributeSource:
    fields = cls.model_fields
    if template is not None:
        if attribute.name in fields:
            raise DefinitionError(
                f"{cls.__name__}.{where} template {template.text!r} writes attribute "
                f"{attribute.name!r}, which is also a field of {cls.__name__}; drop the "
                "template (the field is the key) or rename the field"
            )
        _check_template(cls, where, template)
        if attribute.type != "S":
            raise DefinitionError(
                f"{cls.__name__}.{where}: attribute {attribute.name!r} has type "
                f"{attribute.type}, but templates render text (S); make it a field instead"
            )
        return AttributeSource(attribute, template=template)
    if attribute.name in fields:
        _check_field_type(cls, where, attribute)
        return AttributeSource(attribute, field=attribute.name)
    raise DefinitionError(
        f"{cls.__name__}.{where}: no template for key attribute {attribute.name!r} and "
        f"{cls.__name__} has no field of that name; add one to {where}"
    )


def _stored_type(cls: type[Entity], name: str) -> str | None:
    """The DynamoDB scalar type a field is stored as, when the annotation says it plainly."""
    annotation = cls.model_fields[name].annotation
    epoch = any(
        isinstance(m, Epoch) or (isinstance(m, FieldRole) and m.epoch)
        for m in _markers(cls.model_fields[name])
    )
    if annotation is bool:
        return None
    if annotation in (int, float, Decimal) or (annotation is datetime and epoch):
        return "N"
    if annotation in (str, datetime, date):
        return "S"
    if annotation is bytes:
        return "B"
    return None


def _check_field_type(cls: type[Entity], where: str, attribute: KeyAttribute) -> None:
    stored = _stored_type(cls, attribute.name)
    if stored is not None and stored != attribute.type:
        raise DefinitionError(
            f"{cls.__name__}.{where}: key attribute {attribute.name!r} is declared as "
            f"{attribute.type} on the table, but field {attribute.name!r} is stored as {stored}; "
            f"declare it as ({attribute.name!r}, {stored!r})"
        )


def _index_sources(
    cls: type[Entity], table: Table, declared: Mapping[str, Key]
) -> dict[str, tuple[AttributeSource, ...]]:
    if not isinstance(declared, Mapping):
        raise DefinitionError(f"{cls.__name__}.__indexes__ must be a dict of index name → Key")
    out: dict[str, tuple[AttributeSource, ...]] = {}
    for name, key in declared.items():
        where = f"__indexes__[{name!r}]"
        if name not in table.all_indexes:
            known = ", ".join(repr(n) for n in table.all_indexes) or "none"
            raise DefinitionError(
                f"{cls.__name__}.__indexes__ names index {name!r}, which table "
                f"{table.name!r} does not have (its indexes: {known})"
                f"{_suggest(name, list(table.all_indexes))}"
            )
        if not isinstance(key, Key):
            raise DefinitionError(f"{cls.__name__}.{where} must be a Key(...), got {key!r}")
        index = table.all_indexes[name]
        if index is table.type_index:
            raise DefinitionError(
                f"{cls.__name__}.{where}: the type index is filled by the library"
            )
        if index.multi_attribute:
            raise DefinitionError(
                f"{cls.__name__}.{where}: {name!r} has a multi-attribute key; DynamoDB builds "
                "it from the attributes themselves, so it takes no template (remove it)"
            )
        if isinstance(index, LSI) and key.pk is not None:
            raise DefinitionError(
                f"{cls.__name__}.{where}: an LSI shares the table's partition key; give only sk"
            )
        sources: list[AttributeSource] = []
        pairs = [] if isinstance(index, LSI) else [(index.pk[0], key.pk, "pk")]
        if index.sk:
            pairs.append((index.sk[0], key.sk, "sk"))
        elif key.sk is not None:
            raise DefinitionError(f"{cls.__name__}.{where}: index {name!r} has no sort key")
        # A declared key must fill every key attribute of the index: with one left out, no
        # item of this entity would ever be in it.
        for attribute, template, part in pairs:
            sources.append(_source(cls, f"{where} {part}", attribute, template))
        out[name] = tuple(sources)
    # Indexes not declared are still filled when their attributes are fields (seed 000's
    # UserID-index), and multi-attribute GSIs always are.
    for name, index in table.all_indexes.items():
        if name in out or index is table.type_index:
            continue
        sources = []
        for a in index.attributes:
            if a.name in cls.model_fields:
                _check_field_type(cls, f"field {a.name!r} in index {name!r}", a)
                sources.append(AttributeSource(a, field=a.name))
        if sources:
            out[name] = tuple(sources)
    return out


def _build_spec(cls: type[Entity], table: object) -> EntitySpec:
    name = cls.__name__
    if not isinstance(table, Table):
        raise DefinitionError(f"{name}.__table__ must be a Table, got {table!r}")
    fields = cls.model_fields
    _check_aliases(cls, fields)
    type_name = cls.__dict__.get("__type__", name)
    if not isinstance(type_name, str) or not type_name:
        raise DefinitionError(f"{name}.__type__ must be a non-empty string, got {type_name!r}")
    key = cls.__dict__.get("__key__", getattr(cls, "__key__", None)) or Key()
    if not isinstance(key, Key):
        raise DefinitionError(f"{name}.__key__ must be a Key(...), got {key!r}")
    primary: list[AttributeSource] = []
    pk_source = _source(cls, "__key__ pk", table.pk_attribute, key.pk)
    primary.append(pk_source)
    if table.sk_attribute is not None:
        primary.append(_source(cls, "__key__ sk", table.sk_attribute, key.sk))
    elif key.sk is not None:
        raise DefinitionError(f"{name}.__key__: table {table.name!r} has no sort key")
    if not pk_source.fields:
        raise DefinitionError(
            f"{name}.__key__ pk template {key.pk.text if key.pk else ''!r} uses no field; every "
            f"{name} would share one partition (and one item, without a sort key field)"
        )
    indexes = _index_sources(cls, table, getattr(cls, "__indexes__", {}) or {})
    # Attributes the library writes must not shadow a field.
    for attribute in table.internal_attributes:
        if attribute in fields:
            raise DefinitionError(
                f"{name}.{attribute}: {attribute!r} is an attribute the library writes on table "
                f"{table.name!r} (type, type-index timestamp or TTL); rename the field"
            )
    written: dict[str, Template] = {}
    for source in [*primary, *(s for ss in indexes.values() for s in ss)]:
        if source.template is None:
            continue
        other = written.setdefault(source.attribute.name, source.template)
        if other.text != source.template.text:
            raise DefinitionError(
                f"{name}: attribute {source.attribute.name!r} gets two templates, "
                f"{other.text!r} and {source.template.text!r}"
            )
    roles = _roles(cls)
    unique = getattr(cls, "__unique__", ()) or ()
    if isinstance(unique, str):
        unique = (unique,)
    unique = tuple(unique)
    for field_name in unique:
        if field_name not in fields:
            raise DefinitionError(
                f"{name}.__unique__ names unknown field {field_name!r}"
                f"{_suggest(field_name, tuple(fields))}"
            )
    if unique and any(a.type != "S" for a in table.primary_key):
        raise DefinitionError(
            f"{name}.__unique__: guard items need string keys, but table {table.name!r} has "
            "a non-string key attribute"
        )
    spec = EntitySpec(
        cls=cls,
        table=table,
        type_name=type_name,
        key=tuple(primary),
        indexes=indexes,
        unique=unique,
        roles=roles,
        field_names=tuple(fields),
    )
    for field_name in unique:
        if field_name in spec.key_fields:
            raise DefinitionError(
                f"{name}.__unique__: {field_name!r} is part of the primary key, which is unique "
                "already"
            )
    _check_roles(spec)
    return spec


def _check_roles(spec: EntitySpec) -> None:
    name = spec.name
    for role in ("ttl", "version"):
        found = spec.role_fields(role)
        if len(found) > 1:
            raise DefinitionError(f"{name}: only one {role.upper()}() field allowed, got {found}")
    ttl = spec.ttl_field
    if ttl is not None and not spec.table.ttl:
        raise DefinitionError(
            f"{name}.{ttl} is a TTL() field, but table {spec.table.name!r} has no ttl "
            "attribute; declare Table(..., ttl='ttl')"
        )
    version = spec.version_field
    if version is not None and spec.cls.model_fields[version].annotation is not int:
        raise DefinitionError(f"{name}.{version}: a Version() field must be an int")
    for field_name in spec.key_fields:
        if field_name in spec.roles and spec.roles[field_name].role in ("updated", "version"):
            raise DefinitionError(
                f"{name}.{field_name} changes on every write, so it cannot be part of the "
                "primary key"
            )


# Names used by other modules without reaching into the dataclass above.
GSI_OR_LSI = GSI | LSI

"""How Arrow types are named in messages: the pyarrow expression that builds each type."""

from __future__ import annotations

from typing import Any

import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

__all__ = ["type_repr"]

_SIMPLE_TYPES: tuple[tuple[Any, str], ...] = (
    (pa.null(), "pa.null()"),
    (pa.bool_(), "pa.bool_()"),
    (pa.int8(), "pa.int8()"),
    (pa.int16(), "pa.int16()"),
    (pa.int32(), "pa.int32()"),
    (pa.int64(), "pa.int64()"),
    (pa.uint8(), "pa.uint8()"),
    (pa.uint16(), "pa.uint16()"),
    (pa.uint32(), "pa.uint32()"),
    (pa.uint64(), "pa.uint64()"),
    (pa.float16(), "pa.float16()"),
    (pa.float32(), "pa.float32()"),
    (pa.float64(), "pa.float64()"),
    (pa.string(), "pa.string()"),
    (pa.large_string(), "pa.large_string()"),
    (pa.binary(), "pa.binary()"),
    (pa.large_binary(), "pa.large_binary()"),
    (pa.date32(), "pa.date32()"),
    (pa.date64(), "pa.date64()"),
    (pa.month_day_nano_interval(), "pa.month_day_nano_interval()"),
)
_OPTIONAL_SIMPLE_TYPES = ("string_view", "binary_view")


def _simple_type_names() -> dict[Any, str]:
    names = dict(_SIMPLE_TYPES)
    for factory in _OPTIONAL_SIMPLE_TYPES:
        if hasattr(pa, factory):
            names[getattr(pa, factory)()] = f"pa.{factory}()"
    return names


_SIMPLE_TYPE_NAMES = _simple_type_names()


def _field_repr(field: Any) -> str:
    nullable = "" if field.nullable else ", nullable=False"
    return f"pa.field({field.name!r}, {type_repr(field.type)}{nullable})"


def type_repr(arrow_type: Any) -> str:
    """The pyarrow expression that builds ``arrow_type``, e.g. ``pa.timestamp('us', tz='UTC')``.

    Types without a factory expression are rendered with ``str()``.
    """
    if isinstance(arrow_type, pa.BaseExtensionType):
        return _extension_repr(arrow_type)
    simple = _SIMPLE_TYPE_NAMES.get(arrow_type)
    if simple is not None:
        return simple
    types = pa.types
    if types.is_timestamp(arrow_type):
        if arrow_type.tz is None:
            return f"pa.timestamp({arrow_type.unit!r})"
        return f"pa.timestamp({arrow_type.unit!r}, tz={arrow_type.tz!r})"
    if types.is_time32(arrow_type):
        return f"pa.time32({arrow_type.unit!r})"
    if types.is_time64(arrow_type):
        return f"pa.time64({arrow_type.unit!r})"
    if types.is_duration(arrow_type):
        return f"pa.duration({arrow_type.unit!r})"
    if types.is_decimal(arrow_type):
        kind = f"decimal{arrow_type.bit_width}"
        return f"pa.{kind}({arrow_type.precision}, {arrow_type.scale})"
    if types.is_fixed_size_binary(arrow_type):
        return f"pa.binary({arrow_type.byte_width})"
    if types.is_list(arrow_type):
        return f"pa.list_({type_repr(arrow_type.value_type)})"
    if types.is_large_list(arrow_type):
        return f"pa.large_list({type_repr(arrow_type.value_type)})"
    if types.is_fixed_size_list(arrow_type):
        return f"pa.list_({type_repr(arrow_type.value_type)}, {arrow_type.list_size})"
    if types.is_list_view(arrow_type):
        return f"pa.list_view({type_repr(arrow_type.value_type)})"
    if types.is_large_list_view(arrow_type):
        return f"pa.large_list_view({type_repr(arrow_type.value_type)})"
    if types.is_map(arrow_type):
        sorted_keys = ", keys_sorted=True" if arrow_type.keys_sorted else ""
        key, item = type_repr(arrow_type.key_type), type_repr(arrow_type.item_type)
        return f"pa.map_({key}, {item}{sorted_keys})"
    if types.is_struct(arrow_type):
        fields = ", ".join(
            _field_repr(arrow_type.field(i)) for i in range(arrow_type.num_fields)
        )
        return f"pa.struct([{fields}])"
    if types.is_dictionary(arrow_type):
        index, value = type_repr(arrow_type.index_type), type_repr(
            arrow_type.value_type
        )
        ordered = ", ordered=True" if arrow_type.ordered else ""
        return f"pa.dictionary({index}, {value}{ordered})"
    if types.is_run_end_encoded(arrow_type):
        run_ends, value = type_repr(arrow_type.run_end_type), type_repr(
            arrow_type.value_type
        )
        return f"pa.run_end_encoded({run_ends}, {value})"
    return str(arrow_type)


def _extension_repr(arrow_type: Any) -> str:
    name = arrow_type.extension_name
    if name == "arrow.uuid":
        return "pa.uuid()"
    if name == "arrow.bool8":
        return "pa.bool8()"
    if name == "arrow.json":
        storage = arrow_type.storage_type
        return (
            "pa.json_()"
            if storage == pa.string()
            else f"pa.json_({type_repr(storage)})"
        )
    return str(arrow_type)

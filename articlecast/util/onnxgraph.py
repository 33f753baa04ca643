"""Reading and extending an ONNX model's graph in its protobuf bytes, without the onnx package (``import onnx``
alone took 1.4 s at every voice load): the names of the tensors an operator makes, and the model with one of its
inner tensors made an output too. The voices compute their phonemes' durations before any sound; reading that
tensor is how they time their words.

Only what those two need of protobuf's wire format: varints and length-delimited fields (ModelProto.graph is
field 7, GraphProto.node 1 and .output 12, NodeProto.output 2 and .op_type 4, ValueInfoProto.name 1 and .type 2).
"""

from __future__ import annotations

from collections.abc import Iterator

__all__ = ["made_by", "with_output"]

_LENGTH_DELIMITED, _VARINT, _FIXED64, _FIXED32 = 2, 0, 1, 5


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, at


def _fields(data: bytes, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int, int]]:
    """(field number, start, end) of each length-delimited field of one message; other fields are stepped over."""
    at, end = start, len(data) if end is None else end
    while at < end:
        key, at = _varint(data, at)
        number, wire = key >> 3, key & 7
        if wire == _VARINT:
            _, at = _varint(data, at)
        elif wire == _FIXED64:
            at += 8
        elif wire == _FIXED32:
            at += 4
        elif wire == _LENGTH_DELIMITED:
            size, at = _varint(data, at)
            yield number, at, at + size
            at += size
        else:
            raise ValueError(f"not an ONNX model: protobuf wire type {wire} at byte {at}")


def made_by(model: bytes, op_type: str) -> list[str]:
    """The names of the tensors the graph's ``op_type`` nodes make ("Ceil"), in the graph's order."""
    out: list[str] = []
    for number, a, b in _fields(model):
        if number != 7:
            continue
        for field, c, d in _fields(model, a, b):
            if field != 1:
                continue
            op, made = "", []
            for part, e, f in _fields(model, c, d):
                if part == 2:
                    made.append(model[e:f].decode())
                elif part == 4:
                    op = model[e:f].decode()
            if op == op_type:
                out += made
    return out


def _field(number: int, payload: bytes) -> bytes:
    """One length-delimited protobuf field."""
    key, size, out = (number << 3) | 2, len(payload), bytearray()
    for value in (key, size):
        while value > 0x7F:
            out.append(value & 0x7F | 0x80)
            value >>= 7
        out.append(value)
    return bytes(out) + payload


ELEM_FLOAT, ELEM_INT64 = 1, 7
"""ONNX's TensorProto element types used here."""


def with_output(model: bytes, name: str, elem_type: int) -> bytes:
    """The model with the tensor ``name`` as one more output. Protobuf merges a message field that occurs twice,
    so a second ModelProto.graph holding one GraphProto.output (a ValueInfoProto named ``name``, typed as a tensor
    of ``elem_type``) appends that output to the graph."""
    tensor = _field(1, bytes((0x08, elem_type)))  # TypeProto.tensor_type { elem_type }
    value_info = _field(1, name.encode()) + _field(2, tensor)
    return model + _field(7, _field(12, value_info))

"""Reads the variables of a TensorFlow checkpoint without TensorFlow: its `.index` file, or a text listing.

A TF checkpoint `model.ckpt-1000` is a tensor bundle: `model.ckpt-1000.index` names every tensor and
`model.ckpt-1000.data-?????-of-?????` holds the values. The index is a LevelDB-format table (TF's
tensorflow/core/lib/io: blocks of prefix-compressed keys with restart points, an index block, a 48-byte
footer) whose values are `BundleEntryProto` messages (dtype, shape, shard, offset, size, crc32c) and
whose empty key holds the `BundleHeaderProto`. TF writes the index with the table's default options,
which ask for snappy; a block whose compression byte says so is decompressed here (a small pure-Python
snappy decoder), though TF's own builds write the index uncompressed (the checkpoints in tests/data).

Only what a comparison with the program needs is decoded: names, shapes, dtypes. A partitioned
variable is one entry with its full shape; its slices are stored under encoded keys (starting with a
NUL byte) and skipped, as `tf.train.list_variables` does.

A text listing is what `tf.train.list_variables` prints: one variable a line, `name shape` with the
shape as a Python list (`[3, 4]`) or tuple, an optional dtype after it; `(name, shape)` tuples, blank
lines and `#` comments are accepted too.
"""

from __future__ import annotations

import ast
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

TABLE_MAGIC = 0xDB4775248B80FB57
FOOTER_SIZE = 48  # two block handles padded to 40 bytes, then the 8-byte magic
BLOCK_TRAILER_SIZE = 5  # compression type (1 byte) and a masked crc32c (4 bytes)
NO_COMPRESSION, SNAPPY_COMPRESSION = 0, 1

# tensorflow/core/framework/types.proto, DataType
DTYPES = {
    1: "float32", 2: "float64", 3: "int32", 4: "uint8", 5: "int16", 6: "int8", 7: "string", 8: "complex64",
    9: "int64", 10: "bool", 11: "qint8", 12: "quint8", 13: "qint32", 14: "bfloat16", 15: "qint16",
    16: "quint16", 17: "uint16", 18: "complex128", 19: "float16", 20: "resource", 21: "variant",
    22: "uint32", 23: "uint64",
}


class CheckpointError(Exception):
    """The file is not a checkpoint index or a listing this reader understands."""


@dataclass(frozen=True)
class CheckpointVariable:
    name: str
    shape: Optional[Tuple[int, ...]]  # None: unknown rank
    dtype: Optional[str]  # None when a text listing does not say
    line: int = field(default=0, compare=False)  # its line in a text listing


# ---------------------------------------------------------------------------- varints and protobuf
def read_varint(data: bytes, pos: int) -> Tuple[int, int]:
    """A base-128 varint at `pos`: (value, position after it)."""
    result = shift = 0
    while True:
        if pos >= len(data):
            raise CheckpointError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise CheckpointError("varint too long")


def proto_fields(data: bytes) -> Iterator[Tuple[int, int, object]]:
    """(field number, wire type, value) of a protobuf message: ints for varints and fixed, bytes for the rest."""
    pos = 0
    while pos < len(data):
        key, pos = read_varint(data, pos)
        number, wire = key >> 3, key & 7
        value: object
        if wire == 0:
            value, pos = read_varint(data, pos)
        elif wire == 1:
            value, pos = struct.unpack_from("<Q", data, pos)[0], pos + 8
        elif wire == 2:
            length, pos = read_varint(data, pos)
            value, pos = data[pos:pos + length], pos + length
            if pos > len(data):
                raise CheckpointError("truncated protobuf field")
        elif wire == 5:
            value, pos = struct.unpack_from("<I", data, pos)[0], pos + 4
        else:
            raise CheckpointError(f"unsupported protobuf wire type {wire}")
        yield number, wire, value


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def parse_shape(data: bytes) -> Optional[Tuple[int, ...]]:
    """TensorShapeProto: repeated Dim dim = 2 (Dim: int64 size = 1); bool unknown_rank = 3."""
    dims: List[int] = []
    for number, wire, value in proto_fields(data):
        if number == 2 and wire == 2:
            size = 0
            for dim_number, dim_wire, dim_value in proto_fields(value):  # type: ignore[arg-type]
                if dim_number == 1 and dim_wire == 0:
                    size = _signed(dim_value)  # type: ignore[arg-type]
            dims.append(size)
        elif number == 3 and wire == 0 and value:
            return None
    return tuple(dims)


def parse_entry(name: str, data: bytes) -> CheckpointVariable:
    """BundleEntryProto: DataType dtype = 1; TensorShapeProto shape = 2 (shard, offset, size, crc follow)."""
    dtype: Optional[str] = "invalid"
    shape: Optional[Tuple[int, ...]] = ()
    for number, wire, value in proto_fields(data):
        if number == 1 and wire == 0:
            dtype = DTYPES.get(value, f"dtype_{value}")  # type: ignore[call-overload]
        elif number == 2 and wire == 2:
            shape = parse_shape(value)  # type: ignore[arg-type]
    return CheckpointVariable(name, shape, dtype)


# ---------------------------------------------------------------------------- the table
def _block(data: bytes, offset: int, size: int) -> bytes:
    end = offset + size
    if end + BLOCK_TRAILER_SIZE > len(data):
        raise CheckpointError("a block handle points past the end of the file")
    kind = data[end]
    contents = data[offset:end]
    if kind == NO_COMPRESSION:
        return contents
    if kind == SNAPPY_COMPRESSION:
        return snappy_decompress(contents)
    raise CheckpointError(f"unknown block compression {kind}")


def block_entries(block: bytes) -> Iterator[Tuple[bytes, bytes]]:
    """The (key, value) pairs of one block: each key shares a prefix with the previous one, except at restarts."""
    if len(block) < 4:
        raise CheckpointError("block too short")
    restarts = struct.unpack_from("<I", block, len(block) - 4)[0]
    limit = len(block) - 4 - 4 * restarts
    if limit < 0:
        raise CheckpointError("bad restart count")
    pos = 0
    key = b""
    while pos < limit:
        shared, pos = read_varint(block, pos)
        unshared, pos = read_varint(block, pos)
        value_length, pos = read_varint(block, pos)
        if shared > len(key) or pos + unshared + value_length > limit:
            raise CheckpointError("corrupt block entry")
        key = key[:shared] + block[pos:pos + unshared]
        pos += unshared
        yield key, block[pos:pos + value_length]
        pos += value_length


def table_entries(data: bytes) -> Iterator[Tuple[bytes, bytes]]:
    """Every (key, value) of a LevelDB-format table, in key order."""
    if len(data) < FOOTER_SIZE:
        raise CheckpointError("file too short for a table footer")
    footer = data[-FOOTER_SIZE:]
    if struct.unpack_from("<Q", footer, 40)[0] != TABLE_MAGIC:
        raise CheckpointError("not a TensorFlow checkpoint index (bad table magic)")
    _, pos = read_varint(footer, 0)  # the metaindex handle: offset, size
    _, pos = read_varint(footer, pos)
    index_offset, pos = read_varint(footer, pos)
    index_size, _ = read_varint(footer, pos)
    for _, handle in block_entries(_block(data, index_offset, index_size)):
        offset, pos = read_varint(handle, 0)
        size, _ = read_varint(handle, pos)
        yield from block_entries(_block(data, offset, size))


def read_index(path: Path) -> List[CheckpointVariable]:
    """The variables of a tensor-bundle index file, sorted by name as TF stores them."""
    data = path.read_bytes()
    out = []
    for key, value in table_entries(data):
        if not key or key.startswith(b"\x00"):
            continue  # the header, and the slices of partitioned variables
        try:
            name = key.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CheckpointError(f"a tensor name is not UTF-8: {key!r}") from exc
        out.append(parse_entry(name, value))
    return out


# ---------------------------------------------------------------------------- snappy
def snappy_decompress(data: bytes) -> bytes:
    """The raw snappy format (no framing): a varint length, then literals and back-references."""
    length, pos = read_varint(data, 0)
    out = bytearray()
    while pos < len(data):
        tag = data[pos]
        pos += 1
        kind = tag & 3
        if kind == 0:  # a literal
            size = tag >> 2
            if size >= 60:
                extra = size - 59
                size = int.from_bytes(data[pos:pos + extra], "little")
                pos += extra
            size += 1
            out += data[pos:pos + size]
            pos += size
            continue
        if kind == 1:
            size = ((tag >> 2) & 7) + 4
            distance = ((tag >> 5) << 8) | data[pos]
            pos += 1
        elif kind == 2:
            size = (tag >> 2) + 1
            distance = int.from_bytes(data[pos:pos + 2], "little")
            pos += 2
        else:
            size = (tag >> 2) + 1
            distance = int.from_bytes(data[pos:pos + 4], "little")
            pos += 4
        if distance == 0 or distance > len(out):
            raise CheckpointError("corrupt snappy block")
        for _ in range(size):  # a copy may overlap what it produces
            out.append(out[-distance])
    if len(out) != length:
        raise CheckpointError("corrupt snappy block (length)")
    return bytes(out)


# ---------------------------------------------------------------------------- text listings
_LINE = re.compile(r"^\(?\s*['\"]?(?P<name>[^\s'\",()\[\]]+)['\"]?\s*,?\s*(?P<shape>[\[(][^\])]*[\])])\s*\)?,?"
                   r"\s*(?P<dtype>[A-Za-z0-9_]+)?\s*$")


def read_listing(text: str, source: str = "<listing>") -> List[CheckpointVariable]:
    """`name shape [dtype]` lines, as printed by `for n, s in tf.train.list_variables(ckpt): print(n, s)`."""
    out = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            raise CheckpointError(f"{source}:{number}: expected 'name shape', got {raw!r}")
        try:
            dims = ast.literal_eval(match.group("shape").replace("(", "[").replace(")", "]"))
        except (ValueError, SyntaxError) as exc:
            raise CheckpointError(f"{source}:{number}: bad shape {match.group('shape')!r}") from exc
        if not isinstance(dims, list) or not all(isinstance(d, int) for d in dims):
            raise CheckpointError(f"{source}:{number}: bad shape {match.group('shape')!r}")
        dtype = match.group("dtype")
        out.append(CheckpointVariable(match.group("name"), tuple(dims), dtype.replace("_ref", "") if dtype else None,
                                      number))
    return out


def load(spec: str) -> Tuple[List[CheckpointVariable], str]:
    """A checkpoint prefix (reads PREFIX.index), an .index file, or a text listing; and what was read."""
    path = Path(spec)
    candidates = [path] if path.name.endswith(".index") else [Path(spec + ".index"), path]
    for candidate in candidates:
        if candidate.is_file():
            data = candidate.read_bytes()
            if candidate.name.endswith(".index") or _looks_like_table(data):
                return read_index(candidate), str(candidate)
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise CheckpointError(f"{candidate}: neither a checkpoint index nor a text listing") from exc
            return read_listing(text, str(candidate)), str(candidate)
    if path.is_dir():
        state = path / "checkpoint"  # the directory's latest checkpoint, as tf.train.latest_checkpoint finds it
        if state.is_file():
            match = re.search(r'^model_checkpoint_path:\s*"([^"]+)"', state.read_text(encoding="utf-8"), re.M)
            if match:
                prefix = Path(match.group(1))
                return load(str(prefix if prefix.is_absolute() else path / prefix))
    raise CheckpointError(f"{spec}: no such checkpoint (looked for {spec}.index and {spec})")


def _looks_like_table(data: bytes) -> bool:
    return len(data) >= FOOTER_SIZE and struct.unpack_from("<Q", data, len(data) - 8)[0] == TABLE_MAGIC


def by_name(variables: List[CheckpointVariable]) -> Dict[str, CheckpointVariable]:
    return {v.name: v for v in variables}

"""The checkpoint reader against index files written by real TensorFlow (tests/data/checkpoints, made by
make_checkpoints.py there), and the table format's corners on hand-made bytes."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from tfscope_lint import checkpoint
from tfscope_lint.checkpoint import CheckpointError, CheckpointVariable

DATA = Path(__file__).resolve().parent / "data" / "checkpoints"


def _expected(name: str) -> list:
    return (DATA / f"{name}.expected.txt").read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("name", ["small", "odd", "many"])
def test_index_reads_what_tf_list_variables_says(name: str) -> None:
    got = [f"{v.name} {list(v.shape)} {v.dtype}" for v in checkpoint.read_index(DATA / f"{name}.ckpt.index")]
    assert got == _expected(name)


def test_many_spans_several_restart_points() -> None:
    data = (DATA / "many.ckpt.index").read_bytes()
    footer = data[-checkpoint.FOOTER_SIZE:]
    _, pos = checkpoint.read_varint(footer, 0)
    _, pos = checkpoint.read_varint(footer, pos)
    offset, pos = checkpoint.read_varint(footer, pos)
    size, _ = checkpoint.read_varint(footer, pos)
    handles = list(checkpoint.block_entries(checkpoint._block(data, offset, size)))
    block_offset, pos = checkpoint.read_varint(handles[0][1], 0)
    block = checkpoint._block(data, block_offset, checkpoint.read_varint(handles[0][1], pos)[0])
    assert struct.unpack_from("<I", block, len(block) - 4)[0] > 1  # keys after the first restart are decoded too
    assert len(checkpoint.read_index(DATA / "many.ckpt.index")) == 120


def test_partitioned_variable_is_listed_once_with_its_full_shape() -> None:
    found = checkpoint.by_name(checkpoint.read_index(DATA / "odd.ckpt.index"))
    assert found["emb/table"] == CheckpointVariable("emb/table", (10, 3), "float32")
    assert found["scalar"].shape == () and found["words"].dtype == "string"


def test_load_accepts_a_prefix_an_index_file_and_a_directory(tmp_path: Path) -> None:
    prefix = str(DATA / "small.ckpt")
    assert [v.name for v in checkpoint.load(prefix)[0]] == [line.split()[0] for line in _expected("small")]
    assert checkpoint.load(prefix + ".index")[1].endswith("small.ckpt.index")
    (tmp_path / "model.ckpt-7.index").write_bytes((DATA / "small.ckpt.index").read_bytes())
    (tmp_path / "checkpoint").write_text('model_checkpoint_path: "model.ckpt-7"\n', encoding="utf-8")
    assert len(checkpoint.load(str(tmp_path))[0]) == 13
    with pytest.raises(CheckpointError, match="no such checkpoint"):
        checkpoint.load(str(tmp_path / "nothing"))


def test_text_listing_forms(tmp_path: Path) -> None:
    text = "# from tf.train.list_variables\nmodel/w [3, 4]\n('model/b', [4])\nglobal_step [] int64\n\nx (2,) float32_ref\n"
    listing = tmp_path / "vars.txt"
    listing.write_text(text, encoding="utf-8")
    got = checkpoint.load(str(listing))[0]
    assert got == [CheckpointVariable("model/w", (3, 4), None), CheckpointVariable("model/b", (4,), None),
                   CheckpointVariable("global_step", (), "int64"), CheckpointVariable("x", (2,), "float32")]
    with pytest.raises(CheckpointError, match="vars.txt:1"):
        checkpoint.read_listing("model/w three\n", str(listing))


def test_bad_files_are_errors_not_crashes(tmp_path: Path) -> None:
    bad = tmp_path / "bad.index"
    bad.write_bytes(b"\x00" * 100)
    with pytest.raises(CheckpointError, match="magic"):
        checkpoint.read_index(bad)
    data = bytearray((DATA / "small.ckpt.index").read_bytes())
    truncated = tmp_path / "cut.index"
    truncated.write_bytes(bytes(data[:60]) + bytes(data[-48:]))
    with pytest.raises(CheckpointError):
        checkpoint.read_index(truncated)


def _table(block: bytes, compression: int) -> bytes:
    """A one-block table: data block, index block pointing at it, footer."""
    def varint(n: int) -> bytes:
        out = bytearray()
        while True:
            out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
            n >>= 7
            if not n:
                return bytes(out)

    data = block + bytes([compression]) + b"\0\0\0\0"
    handle = varint(0) + varint(len(block))
    index_entry = varint(0) + varint(1) + varint(len(handle)) + b"z" + handle
    index = index_entry + struct.pack("<II", 0, 1)
    index_offset = len(data)
    body = data + index + b"\0" + b"\0\0\0\0"
    footer = varint(0) + varint(0) + varint(index_offset) + varint(len(index))
    footer += b"\0" * (40 - len(footer)) + struct.pack("<Q", checkpoint.TABLE_MAGIC)
    return body + footer


def _entry(shared: int, key: bytes, value: bytes) -> bytes:
    return bytes([shared, len(key), len(value)]) + key + value


def test_prefix_compressed_keys_and_a_snappy_block(tmp_path: Path) -> None:
    shape = b"\x12\x02\x08\x03"  # dim { size: 3 }
    value = b"\x08\x01\x12" + bytes([len(shape)]) + shape  # float32, [3]
    raw = _entry(0, b"", b"") + _entry(0, b"scope/a", value) + _entry(6, b"b", value)
    raw += struct.pack("<III", 0, 0, 2)  # restarts at 0 and 0, two of them
    plain = tmp_path / "plain.index"
    plain.write_bytes(_table(raw, 0))
    assert [(v.name, v.shape) for v in checkpoint.read_index(plain)] == [("scope/a", (3,)), ("scope/b", (3,))]
    literal = bytes([len(raw)]) if len(raw) < 128 else None
    assert literal is not None
    compressed = literal + bytes([(59 << 2)]) + bytes([len(raw) - 1 - 59]) + raw if len(raw) > 60 else \
        literal + bytes([(len(raw) - 1) << 2]) + raw
    snappy = tmp_path / "snappy.index"
    snappy.write_bytes(_table(compressed, 1))
    assert [v.name for v in checkpoint.read_index(snappy)] == ["scope/a", "scope/b"]


def test_snappy_back_references() -> None:
    # literal "abcd", then a 1-byte-offset copy of 8 bytes from 4 back (overlapping), then a 2-byte-offset copy
    stream = bytes([18]) + bytes([3 << 2]) + b"abcd" + bytes([((8 - 4) << 2) | 1, 4]) + bytes([(6 - 1) << 2 | 2]) + \
        struct.pack("<H", 12)
    assert checkpoint.snappy_decompress(stream) == b"abcdabcdabcdabcdab"
    with pytest.raises(CheckpointError):
        checkpoint.snappy_decompress(bytes([5, 1, 9]))

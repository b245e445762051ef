#!/usr/bin/env python3
"""Parquet bombs: small files whose footer or page headers declare far more
than they hold, so that a reader which allocates what they declare before it
looks at the data behind it takes gigabytes for a few kilobytes.

usage: python3 bench/bombs/parquet.py --out DIR [--columns N] [--list]

Writes DIR/<name>.parquet for each bomb below. Every file is otherwise
well formed (magic, footer, page headers as parquet-mr and the parquet crate
write them): four models, a `model` text column and DOUBLE score columns, no
compression. A service must answer each with a 4xx quickly and without its
memory growing by more than a body's worth.

  dict_2e31          8 score columns whose dictionary pages declare
                     num_values = 2^31 - 1 (hold one value each)
  dict_2e29_one      one score column whose dictionary page declares 2^29
  columns_650k       650 000 score columns, 0 rows, in one row group
                     (--columns N for N columns instead, written as
                     columns_N; ~45 bytes a column)
  rows_2e62          a row group that declares 2^62 rows of 2 columns
  uncompressed_2e31  a snappy page that declares 2^31 - 1 uncompressed bytes
  data_values_2e31   a data page that declares 2^31 - 1 values (4 rows)
  delta_length_2e31  a DELTA_LENGTH_BYTE_ARRAY model column whose in-page
                     header declares 2^31 - 1 lengths (4 rows)
  schema_children    a schema root that declares 2^31 - 1 children

Stdlib only: the files are written by hand in Thrift's compact protocol.
"""

import argparse
import pathlib
import struct

# Thrift compact protocol types.
I32, I64, BINARY, LIST, STRUCT = 5, 6, 8, 9, 12
# Parquet enums.
BYTE_ARRAY, DOUBLE = 6, 5
REQUIRED = 0
PLAIN, RLE, RLE_DICTIONARY, DELTA_LENGTH_BYTE_ARRAY = 0, 3, 8, 6
UNCOMPRESSED, SNAPPY = 0, 1
DATA_PAGE, DICTIONARY_PAGE = 0, 2
UTF8 = 0

MODELS = [b"m1", b"m2", b"m3", b"m4"]


def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def zigzag(n: int) -> bytes:
    return varint((n << 1) ^ (n >> 63))


class Struct:
    """A Thrift compact struct, its fields added in increasing id order."""

    def __init__(self):
        self.out = bytearray()
        self.last = 0

    def _header(self, fid: int, kind: int):
        delta = fid - self.last
        if 0 < delta <= 15:
            self.out.append((delta << 4) | kind)
        else:
            self.out.append(kind)
            self.out += zigzag(fid)
        self.last = fid

    def i32(self, fid, value):
        self._header(fid, I32)
        self.out += zigzag(value)
        return self

    def i64(self, fid, value):
        self._header(fid, I64)
        self.out += zigzag(value)
        return self

    def binary(self, fid, value: bytes):
        self._header(fid, BINARY)
        self.out += varint(len(value)) + value
        return self

    def struct(self, fid, value: "Struct"):
        self._header(fid, STRUCT)
        self.out += value.bytes()
        return self

    def list(self, fid, kind, items):
        self._header(fid, LIST)
        items = list(items)
        if len(items) < 15:
            self.out.append((len(items) << 4) | kind)
        else:
            self.out.append(0xF0 | kind)
            self.out += varint(len(items))
        for item in items:
            if kind == STRUCT:
                self.out += item.bytes()
            elif kind == BINARY:
                self.out += varint(len(item)) + item
            else:
                self.out += zigzag(item)
        return self

    def bytes(self) -> bytes:
        return bytes(self.out) + b"\x00"


def page_header(kind, uncompressed, compressed, num_values, encoding) -> bytes:
    header = Struct().i32(1, kind).i32(2, uncompressed).i32(3, compressed)
    if kind == DICTIONARY_PAGE:
        header.struct(7, Struct().i32(1, num_values).i32(2, encoding))
    else:
        header.struct(5, Struct().i32(1, num_values).i32(2, encoding).i32(3, RLE).i32(4, RLE))
    return header.bytes()


def plain_strings(values) -> bytes:
    return b"".join(struct.pack("<i", len(v)) + v for v in values)


class File:
    """Column chunks appended after the magic, then the footer."""

    def __init__(self):
        self.data = bytearray(b"PAR1")
        self.schema = []
        self.chunks = []

    def column(self, name: bytes, physical, pages, encodings, *, utf8=False, codec=UNCOMPRESSED,
               dictionary=False, num_values=len(MODELS)):
        """Appends a column chunk of `pages` (header, payload) pairs."""
        start = len(self.data)
        for header, payload in pages:
            self.data += header + payload
        size = len(self.data) - start
        element = Struct().i32(1, physical).i32(3, REQUIRED).binary(4, name)
        if utf8:
            element.i32(6, UTF8)
        self.schema.append(element)
        meta = (Struct().i32(1, physical).list(2, I32, encodings).list(3, BINARY, [name])
                .i32(4, codec).i64(5, num_values).i64(6, size).i64(7, size))
        # Data page offset: after the dictionary page when there is one.
        first = len(pages[0][0]) + len(pages[0][1]) if dictionary else 0
        meta.i64(9, start + first)
        if dictionary:
            meta.i64(11, start)
        self.chunks.append(Struct().i64(2, start).struct(3, meta))

    def shared_column(self, name: bytes, chunk_start: int, chunk_size: int):
        """A column whose chunk is one already written (bombs of many columns)."""
        self.schema.append(Struct().i32(1, DOUBLE).i32(3, REQUIRED).binary(4, name))
        meta = (Struct().i32(1, DOUBLE).list(2, I32, [PLAIN]).list(3, BINARY, [name])
                .i32(4, UNCOMPRESSED).i64(5, 0).i64(6, chunk_size).i64(7, chunk_size)
                .i64(9, chunk_start))
        self.chunks.append(Struct().i64(2, chunk_start).struct(3, meta))

    def finish(self, rows: int, root_children=None) -> bytes:
        root = Struct().binary(4, b"schema").i32(5, root_children if root_children is not None else len(self.schema))
        group = Struct().list(1, STRUCT, self.chunks).i64(2, len(self.data)).i64(3, rows)
        footer = (Struct().i32(1, 1).list(2, STRUCT, [root] + self.schema).i64(3, rows)
                  .list(4, STRUCT, [group]).binary(6, b"bench/bombs/parquet.py").bytes())
        return bytes(self.data) + footer + struct.pack("<i", len(footer)) + b"PAR1"


def model_column(f: File, encoding=PLAIN, payload=None, num_values=len(MODELS)):
    payload = plain_strings(MODELS) if payload is None else payload
    f.column(b"model", BYTE_ARRAY,
             [(page_header(DATA_PAGE, len(payload), len(payload), num_values, encoding), payload)],
             [encoding, RLE], utf8=True)


def plain_doubles(values) -> bytes:
    return b"".join(struct.pack("<d", v) for v in values)


def dictionary_column(f: File, name: bytes, declared: int):
    """One dictionary value (0.5) declared as `declared`, and four rows that
    all point at it (RLE_DICTIONARY: bit width 1, one run of 4 zeros)."""
    dictionary = plain_doubles([0.5])
    indices = bytes([1]) + varint(len(MODELS) << 1) + bytes([0])
    f.column(name, DOUBLE, [
        (page_header(DICTIONARY_PAGE, len(dictionary), len(dictionary), declared, PLAIN), dictionary),
        (page_header(DATA_PAGE, len(indices), len(indices), len(MODELS), RLE_DICTIONARY), indices),
    ], [PLAIN, RLE, RLE_DICTIONARY], dictionary=True)


def plain_column(f: File, name: bytes, *, declared_values=len(MODELS), codec=UNCOMPRESSED,
                 declared_uncompressed=None):
    values = plain_doubles([0.25, 0.5, 0.75, 1.0])
    uncompressed = len(values) if declared_uncompressed is None else declared_uncompressed
    f.column(name, DOUBLE,
             [(page_header(DATA_PAGE, uncompressed, len(values), declared_values, PLAIN), values)],
             [PLAIN, RLE], codec=codec)


def dict_2e31(columns=8) -> bytes:
    f = File()
    model_column(f)
    for i in range(columns):
        dictionary_column(f, f"score_{i}".encode(), 2**31 - 1)
    return f.finish(len(MODELS))


def dict_2e29_one() -> bytes:
    f = File()
    model_column(f)
    dictionary_column(f, b"score", 2**29)
    return f.finish(len(MODELS))


def columns_650k(columns: int) -> bytes:
    f = File()
    # One empty data page, shared by every column chunk.
    start = len(f.data)
    f.data += page_header(DATA_PAGE, 0, 0, 0, PLAIN)
    size = len(f.data) - start
    for i in range(columns):
        f.shared_column(f"c{i}".encode(), start, size)
    return f.finish(0)


def rows_2e62() -> bytes:
    f = File()
    model_column(f)
    plain_column(f, b"score")
    return f.finish(2**62)


def uncompressed_2e31() -> bytes:
    f = File()
    model_column(f)
    # Snappy of 32 plain bytes: a literal of 32 (tag 31 << 2), the bytes.
    values = plain_doubles([0.25, 0.5, 0.75, 1.0])
    compressed = varint(len(values)) + bytes([(len(values) - 1) << 2]) + values
    f.column(b"score", DOUBLE,
             [(page_header(DATA_PAGE, 2**31 - 1, len(compressed), len(MODELS), PLAIN), compressed)],
             [PLAIN, RLE], codec=SNAPPY)
    return f.finish(len(MODELS))


def data_values_2e31() -> bytes:
    f = File()
    model_column(f)
    plain_column(f, b"score", declared_values=2**31 - 1)
    return f.finish(len(MODELS))


def delta_length_2e31() -> bytes:
    """DELTA_LENGTH_BYTE_ARRAY: a DELTA_BINARY_PACKED block of lengths whose
    header declares 2^31 - 1 values, every miniblock of bit width 0 (all
    lengths equal to the first, 2), then the four strings' bytes."""
    count = 2**31 - 1
    lengths = varint(128) + varint(4) + varint(count) + zigzag(2)
    # Blocks of 128 values: min delta 0, four miniblock widths of 0, no body.
    blocks = (count - 1 + 127) // 128
    lengths += (zigzag(0) + bytes(4)) * min(blocks, 64)
    payload = lengths + b"".join(MODELS)
    f = File()
    model_column(f, encoding=DELTA_LENGTH_BYTE_ARRAY, payload=payload)
    plain_column(f, b"score")
    return f.finish(len(MODELS))


def schema_children() -> bytes:
    f = File()
    model_column(f)
    plain_column(f, b"score")
    return f.finish(len(MODELS), root_children=2**31 - 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=pathlib.Path, required=True)
    parser.add_argument("--columns", type=int, default=650_000, help="columns of columns_650k")
    parser.add_argument("--list", action="store_true", help="print each file's name and size")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    bombs = {
        "dict_2e31": dict_2e31(),
        "dict_2e29_one": dict_2e29_one(),
        "columns_650k" if args.columns == 650_000 else f"columns_{args.columns}": columns_650k(args.columns),
        "rows_2e62": rows_2e62(),
        "uncompressed_2e31": uncompressed_2e31(),
        "data_values_2e31": data_values_2e31(),
        "delta_length_2e31": delta_length_2e31(),
        "schema_children": schema_children(),
    }
    for name, data in bombs.items():
        (args.out / f"{name}.parquet").write_bytes(data)
        if args.list:
            print(f"{name}.parquet\t{len(data)}")


if __name__ == "__main__":
    main()

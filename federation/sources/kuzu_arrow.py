"""Repairs of Kuzu 0.11.3's Arrow export.

A DECIMAL(p,s) with p ≤ 18 is stored in 16, 32 or 64 bits; ``get_as_arrow`` widens it to
Arrow's 128-bit decimal without extending the sign, so -1.5 in a DECIMAL(18,3) arrives as
18446744073709550.116 (2**64 - 1500, scaled). DECIMAL(p > 18) is stored in 128 bits and
arrives right. The fix reads the low word, sign-extends it from the storage width and writes
both words again.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa


def storage_bits(precision: int) -> int:
    """Bits Kuzu stores a DECIMAL of this precision in (128: exported correctly)."""
    return 16 if precision <= 4 else 32 if precision <= 9 else 64 if precision <= 18 else 128


def signed_decimals(table: pa.Table) -> pa.Table:
    """``table`` with every narrow decimal column's values sign-extended.

    >>> words = np.array([[2**64 - 1500, 0], [1250, 0]], dtype=np.uint64)
    >>> bad = pa.Array.from_buffers(pa.decimal128(18, 3), 2, [None, pa.py_buffer(words)])
    >>> bad.to_pylist()
    [Decimal('18446744073709550.116'), Decimal('1.250')]
    >>> [str(v) for v in signed_decimals(pa.table({"v": bad})).column(0).to_pylist()]
    ['-1.500', '1.250']
    """
    for index, field in enumerate(table.schema):
        if pa.types.is_decimal128(field.type) and storage_bits(field.type.precision) < 128:
            column = table.column(index)
            chunks = [_sign_extend(chunk, storage_bits(field.type.precision))
                      for chunk in column.chunks]
            table = table.set_column(index, field, pa.chunked_array(chunks, field.type))
    return table


def _sign_extend(chunk: pa.Array, bits: int) -> pa.Array:
    validity, data = chunk.buffers()
    words = np.frombuffer(data, dtype=np.uint64).reshape(-1, 2)
    words = words[chunk.offset:chunk.offset + len(chunk)]
    shift = np.uint64(64 - bits)
    low = ((words[:, 0] << shift).view(np.int64) >> shift.astype(np.int64))
    fixed = np.empty((len(chunk), 2), dtype=np.int64)
    fixed[:, 0] = low
    fixed[:, 1] = low >> np.int64(63)
    validity = None if chunk.null_count == 0 else pa.array(chunk.is_valid()).buffers()[1]
    return pa.Array.from_buffers(chunk.type, len(chunk), [validity, pa.py_buffer(fixed)])

"""The rows of a ``COPY … TO STDOUT (FORMAT csv)`` as the CSV file's chunks, a batch at a time.

PostgreSQL ends every row with "\\n" where Excel's CSV (and ``csv.writer``)
has "\\r\\n", and the export's SQL leaves the removal of control characters to
this module (looking for them costs PostgreSQL a regular expression per cell;
here it is one scan of a whole batch). Rows are taken in batches of about a
chunk, joined, and fixed with a few whole-chunk operations; only a batch that
holds a line break inside a cell or a control character is handled row by row.

Cells repeated on many rows (the unit's, the course version's) can come as
short keys instead (``KeyTable``): one cell of the COPY row holds the keys
between ``MARK`` bytes, and each key is replaced here by its cells, already
cleaned and quoted, so PostgreSQL writes a few bytes where it wrote the text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import islice

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from elearn.reports.exports import safe_text

# The bytes ILLEGAL_CHARACTERS_RE matches (in UTF-8 they stand only for
# themselves), and "\n": deleting these from a batch whose only such bytes are
# its rows' ends (and marks) removes exactly as many bytes a row.
# (bytes.translate is several times faster than a regular expression over the same bytes.)
_CONTROL = bytes(c for c in range(32) if ILLEGAL_CHARACTERS_RE.match(chr(c)))
_CONTROL_OR_NEWLINE = _CONTROL + b"\n"
# Around and between the keys in the key cell: a control byte, so the batch
# check above counts the marks and any control character in the text besides them.
MARK = "\x01"
_MARK = MARK.encode()
# Rows in the first batch, before the rows' real length is known.
_FIRST_BATCH = 64


class KeyTable(dict[bytes, Sequence[str]]):
    """Cells by the key COPY sends for them (its decimal text); ``lookup`` answers a key not
    loaded up front (and is remembered)."""

    def __init__(
        self,
        cells: Mapping[bytes, Sequence[str]],
        lookup: Callable[[bytes], Sequence[str]],
    ) -> None:
        super().__init__(cells)
        self.lookup = lookup

    def __missing__(self, key: bytes) -> Sequence[str]:
        cells = self[key] = self.lookup(key)
        return cells


class _Quoted(dict[bytes, bytes]):
    """A key table's cells as csv.writer writes them between other cells, made on first use."""

    def __init__(self, table: KeyTable, separator: bytes) -> None:
        super().__init__()
        self.table = table
        self.separator = separator

    def __missing__(self, key: bytes) -> bytes:
        buffer = io.StringIO()
        # csv.writer writes a row of one empty cell as '""'; between cells it is bare.
        # (Its line ending stays "\r\n": it quotes the cells that hold the ending's characters.)
        cells = self.table[key]
        if list(cells) != [""]:
            csv.writer(buffer).writerow(cells)
        quoted = self[key] = buffer.getvalue().removesuffix("\r\n").encode() + self.separator
        return quoted


class CopyChunks:
    """Iterate to turn COPY rows into CRLF chunks; ``count`` is the number of rows taken so far.

    ``text_columns`` are the cells (numbered as in the file) whose control
    characters are still to be removed (the other cells come cleaned); their
    formula starts may already be neutralised, since ``safe_text`` keeps a
    leading apostrophe as it is. With ``key_tables``, the COPY row's cell
    ``key_column`` is ``MARK key MARK key … MARK``, one key per table, and
    stands for those tables' cells (cleaned, neutralised) in the file.
    """

    def __init__(
        self,
        rows: Iterable[bytes | memoryview],
        text_columns: Sequence[int],
        chunk_size: int,
        *,
        key_column: int = 0,
        key_tables: Sequence[KeyTable] = (),
    ) -> None:
        self.rows = iter(rows)
        self.text_columns = text_columns
        self.chunk_size = chunk_size
        self.count = 0
        self.key_column = key_column
        self.key_tables = key_tables
        last = len(key_tables) - 1
        self._quoted = [
            _Quoted(table, b"" if index == last else b",") for index, table in enumerate(key_tables)
        ]
        self._marks = len(key_tables) + 1 if key_tables else 0

    def __iter__(self) -> Iterator[bytes]:
        size, taken = _FIRST_BATCH, 0
        per_row = 1 + self._marks
        while batch := list(islice(self.rows, size)):
            data = b"".join(batch)
            self.count += len(batch)
            if len(data) - len(data.translate(None, _CONTROL_OR_NEWLINE)) == per_row * len(batch):
                # No control character but the marks, and no "\n" inside a cell:
                # every "\n" ends a row.
                data = self._expanded(data.replace(b"\n", b"\r\n"))
            else:
                data = b"".join(self._fixed(bytes(row)) for row in batch)
            yield data
            taken += len(data)
            size = max(1, self.chunk_size * self.count // taken)

    def _expanded(self, data: bytes) -> bytes:
        """``data`` with every key cell replaced by its tables' cells (after the CRLF swap:
        a cell may hold a line break)."""
        if not self._quoted:
            return data
        parts = data.split(_MARK)
        stride = len(self._quoted) + 1
        for index, quoted in enumerate(self._quoted, start=1):
            parts[index::stride] = map(quoted.__getitem__, parts[index::stride])
        return b"".join(parts)

    def _fixed(self, row: bytes) -> bytes:
        if len(row) - len(row.translate(None, _CONTROL)) == self._marks:
            return self._expanded(row[:-1] + b"\r\n")
        # Rare: parse the row, clean its text cells and write it as csv.writer does.
        cells = next(csv.reader([row.decode("utf-8")[:-1]]))
        if self.key_tables:
            keys = cells[self.key_column].encode().split(_MARK)[1:-1]
            tables = zip(self.key_tables, keys, strict=True)
            cells[self.key_column : self.key_column + 1] = [
                cell for table, key in tables for cell in table[key]
            ]
        for index in self.text_columns:
            if ILLEGAL_CHARACTERS_RE.search(cells[index]):
                cells[index] = safe_text(cells[index])
        buffer = io.StringIO()
        csv.writer(buffer).writerow(cells)
        return buffer.getvalue().encode("utf-8")

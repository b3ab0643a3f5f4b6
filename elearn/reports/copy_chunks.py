"""The rows of a ``COPY … TO STDOUT (FORMAT csv)`` as the CSV file's chunks, a batch at a time.

PostgreSQL ends every row with "\\n" where Excel's CSV (and ``csv.writer``)
has "\\r\\n", and the export's SQL leaves the removal of control characters to
this module (looking for them costs PostgreSQL a regular expression per cell;
here it is one scan of a whole batch). Rows are taken in batches of about a
chunk, joined, and fixed with a few whole-chunk operations; only a batch that
holds a line break inside a cell or a control character is handled row by row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from elearn.reports.exports import safe_text

# The bytes ILLEGAL_CHARACTERS_RE matches (in UTF-8 they stand only for
# themselves), and "\n": deleting these from a batch whose only such bytes are
# its rows' ends removes exactly one byte a row. (bytes.translate is several
# times faster than a regular expression over the same bytes.)
_CONTROL = bytes(c for c in range(32) if ILLEGAL_CHARACTERS_RE.match(chr(c)))
_CONTROL_OR_NEWLINE = _CONTROL + b"\n"
# Rows in the first batch, before the rows' real length is known.
_FIRST_BATCH = 64


class CopyChunks:
    """Iterate to turn COPY rows into CRLF chunks; ``count`` is the number of rows taken so far.

    ``text_columns`` are the cells whose control characters are still to be
    removed (the other cells come cleaned); their formula starts may already
    be neutralised, since ``safe_text`` keeps a leading apostrophe as it is.
    """

    def __init__(
        self, rows: Iterable[bytes | memoryview], text_columns: Sequence[int], chunk_size: int
    ) -> None:
        self.rows = iter(rows)
        self.text_columns = text_columns
        self.chunk_size = chunk_size
        self.count = 0

    def __iter__(self) -> Iterator[bytes]:
        size, taken = _FIRST_BATCH, 0
        while batch := list(islice(self.rows, size)):
            data = b"".join(batch)
            self.count += len(batch)
            if len(data) - len(data.translate(None, _CONTROL_OR_NEWLINE)) == len(batch):
                # No control character, and no "\n" inside a cell: every "\n" ends a row.
                data = data.replace(b"\n", b"\r\n")
            else:
                data = b"".join(self._fixed(bytes(row)) for row in batch)
            yield data
            taken += len(data)
            size = max(1, self.chunk_size * self.count // taken)

    def _fixed(self, row: bytes) -> bytes:
        if len(row.translate(None, _CONTROL)) == len(row):
            return row[:-1] + b"\r\n"
        # Rare: parse the row, clean its text cells and write it as csv.writer does.
        cells = next(csv.reader([row.decode("utf-8")[:-1]]))
        for index in self.text_columns:
            if ILLEGAL_CHARACTERS_RE.search(cells[index]):
                cells[index] = safe_text(cells[index])
        buffer = io.StringIO()
        csv.writer(buffer).writerow(cells)
        return buffer.getvalue().encode("utf-8")

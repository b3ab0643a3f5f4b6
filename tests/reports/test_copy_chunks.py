"""COPY rows to CRLF chunks: whole-batch fixes only where no cell holds a line break or control."""

from __future__ import annotations

import csv
import io
import random

import pytest

from elearn.reports.copy_chunks import CopyChunks
from elearn.reports.exports import safe_text
from tests.reports.test_csv_stream import hostile_text

# What Excel, LibreOffice and Google Sheets start a formula with (written out
# here on purpose, not imported from the code under test).
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
TEXT_COLUMNS = (1, 3)


def copy_row(cells: list[str]) -> bytes:
    """A row as PostgreSQL's ``COPY … (FORMAT csv)`` writes it: minimal quotes, "\\n" at the end."""
    quoted = [
        f'"{cell.replace(chr(34), chr(34) * 2)}"' if any(c in cell for c in ',"\r\n') else cell
        for cell in cells
    ]
    return (",".join(quoted) + "\n").encode("utf-8")


def sql_neutralised(text: str) -> str:
    """What the export's SQL sends for a text cell: a quote before a formula start, nothing more."""
    return "'" + text if text.startswith(TRIGGERS) else text


def expected_file(rows: list[list[str]]) -> bytes:
    """The row writer's bytes: text cells through safe_text, csv.writer's CRLF lines."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for cells in rows:
        writer.writerow([safe_text(c) if i in TEXT_COLUMNS else c for i, c in enumerate(cells)])
    return buffer.getvalue().encode("utf-8")


def chunks_of(rows: list[list[str]], chunk_size: int) -> tuple[list[bytes], int]:
    sent = [
        copy_row([sql_neutralised(c) if i in TEXT_COLUMNS else c for i, c in enumerate(cells)])
        for cells in rows
    ]
    chunks = CopyChunks(sent, TEXT_COLUMNS, chunk_size)
    return list(chunks), chunks.count


@pytest.mark.parametrize("chunk_size", [1, 64, 4096])
def test_chunks_match_the_row_writer_on_hostile_cells(chunk_size: int):
    rng = random.Random(chunk_size)
    rows = [
        [
            str(n),
            hostile_text(rng),
            "a line\nin a cell" if n % 7 == 0 else "plain",
            hostile_text(rng),
        ]
        for n in range(500)
    ]
    chunks, count = chunks_of(rows, chunk_size)
    assert b"".join(chunks) == expected_file(rows)
    assert count == 500
    assert len(chunks) > 1


def test_a_line_break_inside_a_cell_is_kept_and_rows_end_in_crlf():
    rows = [["1", "Andi", 'say "hi", then\nleave', "x"], ["2", "Rina", "line\r\nbreak", "y"]]
    data = b"".join(chunks_of(rows, 4096)[0])
    assert data == b'1,Andi,"say ""hi"", then\nleave",x\r\n2,Rina,"line\r\nbreak",y\r\n'


def test_a_formula_behind_a_control_character_is_neutralised():
    # SQL saw "\x01" first and let it through; removing it uncovers "=cmd".
    rows = [["1", "\x01=cmd", "plain", "\x1f\x0b+x"], ["2", "=A1\x07", "plain", "ok"]]
    data = b"".join(chunks_of(rows, 4096)[0])
    assert data == b"1,'=cmd,plain,'+x\r\n2,'=A1,plain,ok\r\n"
    cells = [cell for line in csv.reader(io.StringIO(data.decode(), newline="")) for cell in line]
    assert not [cell for cell in cells if cell.startswith(TRIGGERS)]


def test_plain_batches_are_fixed_whole_with_quotes_and_commas_kept():
    rows = [[str(n), f"Budi, S.Kom {n}", 'title "x"', "-"] for n in range(300)]
    chunks, count = chunks_of(rows, 512)
    assert b"".join(chunks) == expected_file(rows)
    assert (count, len(chunks) > 10) == (300, True)

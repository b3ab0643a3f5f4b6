"""COPY rows to CRLF chunks: whole-batch fixes only where no cell holds a line break or control."""

from __future__ import annotations

import csv
import io
import random

import pytest

from elearn.reports.copy_chunks import CopyChunks, KeyTable
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


# Unit-like and version-like cells, as the export renders them (safe_text) before sending keys.
UNITS = {
    "7": ["=Pemerintah Kota Palu", 'Dinas "Kesehatan", Bidang › P2P'],
    "8": ["Kab. Mamuju\x01\x1f", "line\nbreak, and\r\nmore"],
    "9": ["", ""],
}
VERSIONS = {
    "12": ["@kursus-1", '+Manajemen—Proyek, "Dasar"', "1", "-x\x0b", "\t=teknis", "12"],
    "345": ["kursus-ñ", "Títle ok", "2", "", "sosial-kultural", "3"],
}


def keyed_chunks(rows: list[list[str]], chunk_size: int, tables: list) -> tuple[bytes, int]:
    """Rows sent as the export sends them: the unit and version keys in one marked cell."""
    sent = [
        copy_row(
            [n, sql_neutralised(name), third, f"\x01{unit}\x01{version}\x01"]
            + [status, sql_neutralised(number)]
        )
        for n, name, third, unit, version, status, number in rows
    ]
    # In the file: the learner's name is cell 1, the number cell 12 (after 2 + 6 keyed cells).
    chunks = CopyChunks(sent, (1, 12), chunk_size, key_column=3, key_tables=tables)
    return b"".join(chunks), chunks.count


def keyed_expected(rows: list[list[str]]) -> bytes:
    """The row writer's file: each key's cells (through safe_text) in place of the key."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for n, name, third, unit, version, status, number in rows:
        writer.writerow(
            [n, safe_text(name), third]
            + [safe_text(c) for c in UNITS.get(unit, ["", ""])]
            + [safe_text(c) for c in VERSIONS[version]]
            + [status, safe_text(number)]
        )
    return buffer.getvalue().encode("utf-8")


@pytest.mark.parametrize("chunk_size", [1, 64, 4096])
def test_keys_are_replaced_by_their_cleaned_quoted_cells(chunk_size: int):
    rng = random.Random(chunk_size)
    looked_up: list[bytes] = []

    def version_lookup(key: bytes) -> list[str]:
        looked_up.append(key)
        return [safe_text(c) for c in VERSIONS[key.decode()]]

    units = KeyTable(
        {k.encode(): [safe_text(c) for c in v] for k, v in UNITS.items()}, lambda key: ["", ""]
    )
    # Version 345 is not loaded up front: it is looked up once, when a row first names it.
    versions = KeyTable({b"12": [safe_text(c) for c in VERSIONS["12"]]}, version_lookup)
    rows = [
        [
            str(n),
            hostile_text(rng) if n % 3 == 0 else f"Budi {n}",
            "a line\nin a cell" if n % 11 == 0 else "plain",
            rng.choice(["7", "8", "9", "404"]),
            rng.choice(["12", "345"]),
            "Selesai",
            hostile_text(rng) if n % 5 == 0 else f"800/{n}",
        ]
        for n in range(400)
    ]
    data, count = keyed_chunks(rows, chunk_size, [units, versions])
    assert data == keyed_expected(rows)
    assert count == 400
    assert looked_up == [b"345"]


def test_keys_in_plain_batches_and_next_to_control_characters():
    units = KeyTable({b"7": ["'=Palu", 'Palu › Dinas, "A"']}, lambda key: ["", ""])
    versions = KeyTable({b"12": ["k", "Título", "1", "c", "teknis", "2"]}, lambda key: [])
    # The first row holds a mark-like control byte in a name, the second does not.
    rows = [["1", "\x01=cmd", "x", "7", "12", "Selesai", ""], ["2", "Rina", "y", "7", "12", "", ""]]
    data, _ = keyed_chunks(rows, 4096, [units, versions])
    assert (
        data
        == (
            '1,\'=cmd,x,\'=Palu,"Palu › Dinas, ""A""",k,Título,1,c,teknis,2,Selesai,\r\n'
            '2,Rina,y,\'=Palu,"Palu › Dinas, ""A""",k,Título,1,c,teknis,2,,\r\n'
        ).encode()
    )
    # Rows without control characters are fixed as a whole batch, keys and all.
    plain, _ = keyed_chunks([rows[1]] * 200, 512, [units, versions])
    assert plain == data.split(b"\r\n", 1)[1] * 200

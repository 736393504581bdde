"""The CSV of Bulk API 2.0 jobs: storing an upload, reading its rows, writing result files.

Decisions a client relies on:
- An upload is UTF-8 (a BOM is dropped) in the job's column delimiter; either line ending is read. At most
  MAX_UPLOAD_BYTES per job (413 beyond); a body with NUL bytes or that is not UTF-8 is refused (400), and nothing is
  stored for a refused upload.
- Data rows are numbered from 0 after the header; empty lines are not rows. A malformed CSV (an unterminated
  quote, text after a closing quote, a cell over csv's field size limit) fails the job at that point, saying where.
- Every CSV this API hands out (results, unprocessed records, query results) uses the job's delimiter and line
  ending, and is formula-safe: a cell a spreadsheet would evaluate (starting with `=`, `@`, `+`, `-`, a tab or a
  carriage return; a sign only when no digit follows it, so `+33 1…` and `-5` stay) is prefixed with `'`. Result columns `sf__Id`, `sf__Created` and `sf__Error` come first.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO

from django.core.files import File

from integrations.salesforce.errors import SalesforceError

DELIMITERS = {"COMMA": ",", "TAB": "\t", "SEMICOLON": ";", "PIPE": "|", "CARET": "^", "BACKQUOTE": "`"}
LINE_ENDINGS = {"LF": "\n", "CRLF": "\r\n"}
# Salesforce takes 150 MB of base64 per upload, about 100 MB of CSV.
MAX_UPLOAD_BYTES = 100 * 1024 * 1024
_BLOCK = 1 << 16
# What a spreadsheet runs as a formula; a sign before a digit is a number or a phone number and stays as it is.
_FORMULA = re.compile(r"^(?:[=@\t\r]|[+-](?![\d.]))")


def invalid_batch(message: str, *, status: int = 400) -> SalesforceError:
    return SalesforceError("INVALIDBATCH", f"InvalidBatch : {message}", status=status)


def receive_upload(stream: IO[bytes], *, declared_length: int | None = None) -> File:
    """Copy an uploaded CSV body to a temporary file, checking size, NUL bytes and UTF-8 as it streams.

    Raises:
        SalesforceError: empty, too large (413), NUL bytes, not UTF-8.
    """
    if declared_length is not None and declared_length > MAX_UPLOAD_BYTES:
        raise _too_large()
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - returned open to the caller, closed on error
    decoder = codecs.getincrementaldecoder("utf-8")()
    size = 0
    try:
        while block := stream.read(_BLOCK):
            size += len(block)
            if size > MAX_UPLOAD_BYTES:
                raise _too_large()
            if b"\0" in block:
                raise invalid_batch("The CSV contains NUL bytes.")
            try:
                decoder.decode(block)
            except UnicodeDecodeError:
                raise invalid_batch(f"The CSV is not UTF-8 (at byte {size - len(block) + 1} or after).") from None
            handle.write(block)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise invalid_batch("The CSV is not UTF-8: it ends inside a character.") from None
        if size == 0:
            raise invalid_batch("The request has no CSV data.")
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return File(handle, name="data.csv")


def _too_large() -> SalesforceError:
    megabytes = MAX_UPLOAD_BYTES // (1024 * 1024)
    return invalid_batch(f"The CSV is larger than {megabytes} MB; split it into several jobs.", status=413)


def read_rows(path: str, delimiter: str) -> tuple[list[str], Iterator[list[str]]]:
    """The header and an iterator over the data rows (empty lines skipped) of the CSV at `path`.

    The iterator owns the open file and closes it when exhausted or garbage-collected.

    Raises:
        SalesforceError: the file has no header.
    """
    handle = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 - closed by the generator
    reader = csv.reader(handle, delimiter=DELIMITERS[delimiter], strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        handle.close()
        raise invalid_batch("The CSV has no header row.") from None

    def rows() -> Iterator[list[str]]:
        with handle:
            number = 0
            try:
                for row in reader:
                    if row:
                        yield row
                        number += 1
            except csv.Error as exc:
                raise invalid_batch(f"The CSV is malformed after data row {number}: {exc}.") from None

    return [name.strip() for name in header], rows()


def safe_cell(value: object) -> str:
    """One output cell as text: None as empty, booleans as true/false, text formula-safe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return "'" + text if _FORMULA.match(text) else text


class CsvWriter:
    """Writes rows in a job's delimiter and line ending, formula-safe, and returns each row's text."""

    def __init__(self, delimiter: str, line_ending: str) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(
            self._buffer,
            delimiter=DELIMITERS[delimiter],
            lineterminator=LINE_ENDINGS[line_ending],
            quoting=csv.QUOTE_MINIMAL,
        )

    def row(self, cells: Iterable[object], *, raw: Iterable[str] = ()) -> str:
        """Render `raw` cells as they are (sf__ columns) then `cells` made formula-safe, as one CSV line."""
        self._writer.writerow([*raw, *(safe_cell(cell) for cell in cells)])
        text = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return text

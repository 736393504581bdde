"""Report tables as spreadsheet files: XLSX beside the CSV of `dashboards.tables`.

XLSX is written with openpyxl: a long-kept library, pure Python (no system packages), that writes real typed
cells, so counts and money arrive in a spreadsheet as numbers that sum, not text. Both formats are formula-safe:
text a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return) is prefixed with a
quote, and in XLSX every text cell is also stored as a plain string, never as a formula. Numbers stay numbers.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING

from dashboards.tables import MONEY_KEYS, csv_cell, csv_header, write_csv

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel refuses a sheet title longer than 31 characters or holding any of these.
SHEET_TITLE_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def xlsx_value(key: str, value: Any) -> Any:
    """Return one cell's typed value: numbers and dates as such, money as a decimal, text formula-safe."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, date):
        return value
    if key in MONEY_KEYS:
        try:
            return Decimal(str(value))
        except InvalidOperation:
            pass
    return csv_cell(value)


def write_xlsx(title: str, columns: list[tuple[str, str]], rows: Iterable[dict[str, Any]]) -> bytes:
    """Return an XLSX workbook of one sheet: a header row of column titles (with units), then typed cells."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title.translate(SHEET_TITLE_FORBIDDEN)[:31] or "Report"
    sheet.append([csv_cell(csv_header(key, name)) for key, name in columns])
    for row in rows:
        sheet.append([xlsx_value(key, row.get(key)) for key, _name in columns])
    for line in sheet.iter_rows():
        for cell in line:
            if isinstance(cell.value, str):
                cell.data_type = TYPE_STRING  # never a formula, whatever the text
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def table_download(
    title: str, columns: list[tuple[str, str]], rows: Iterable[dict[str, Any]], *, filename: str, extension: str
) -> HttpResponse:
    """One report table as an attachment: `extension` "xlsx" (typed cells) or "csv", named `filename.extension`."""
    if extension == "xlsx":
        response = HttpResponse(write_xlsx(title, columns, rows), content_type=XLSX_CONTENT_TYPE)
    else:
        response = HttpResponse(write_csv(columns, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{extension}"'
    return response

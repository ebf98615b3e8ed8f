"""Tables out of the notebook: CSV or Excel in one call, and the build's processing matrix (the no-SPARQL route)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - typing only
    import pandas

MATRIX_FILE = "processing-matrix.csv"


def to_csv(df: pandas.DataFrame, path: Path | str) -> Path:
    """Write a table as UTF-8 CSV (with its index when it is named, as in the matrices); return the path."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(out, index=_keeps_index(df), encoding="utf-8")
    return out


def to_excel(tables: pandas.DataFrame | dict[str, pandas.DataFrame], path: Path | str) -> Path:
    """Write a table, or several as {sheet name: table}, to an .xlsx workbook (needs openpyxl: pip install
    'policykg[notebooks]'); return the path."""
    import pandas as pd

    try:
        import openpyxl  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("writing Excel needs openpyxl: pip install 'policykg[notebooks]' (or use to_csv)") from exc
    sheets = tables if isinstance(tables, dict) else {"table": tables}
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        for name, df in sheets.items():
            df.to_excel(writer, sheet_name=_sheet_name(name), index=_keeps_index(df))
    return out


def export(tables: pandas.DataFrame | dict[str, pandas.DataFrame], path: Path | str) -> Path:
    """to_csv or to_excel by the file's extension (.csv, .xlsx)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".xlsx":
        return to_excel(tables, path)
    if suffix == ".csv":
        if isinstance(tables, dict):
            raise ValueError("a CSV file holds one table: pass one DataFrame, or write .xlsx for several")
        return to_csv(tables, path)
    raise ValueError(f"write .csv or .xlsx, not {suffix or 'a file without extension'}")


def processing_matrix(build: Path | str | None = None) -> pandas.DataFrame:
    """The build's processing-matrix.csv (one row per version x process x information item, with basis, purpose,
    audience, category, item and source span, labels included): the whole policy as one table, no SPARQL needed."""
    import pandas as pd

    from policykg.analysis.session import build_dir

    return pd.read_csv(build_dir(build) / MATRIX_FILE, dtype=str, keep_default_na=False)


def _keeps_index(df: pandas.DataFrame) -> bool:
    return df.index.name is not None or any(n is not None for n in (df.index.names or []))


def _sheet_name(name: str) -> str:
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in str(name))
    return cleaned[:31] or "table"

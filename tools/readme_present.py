"""Write the README's "Where things stand" section from the coded 2025-2026 record.

The section is :func:`rift.present.present_summary` at the record's last month, between the
README's ``<!-- present:begin -->`` and ``<!-- present:end -->`` lines; ``tests/test_readme.py``
checks that it is the record's, so it cannot go stale::

    python tools/readme_present.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = "<!-- present:begin -->", "<!-- present:end -->"


def section() -> str:
    """The section's text: the record's summary as of its last month, one heading level down."""
    sys.path.insert(0, str(ROOT / "src"))
    from rift.months import format_month
    from rift.present import coded_record, present_summary

    last = format_month(coded_record().last_month)
    text = present_summary(last).replace("## The record as of", "### The record as of", 1)
    return text.strip()


def render(readme: str) -> str:
    """The README with the section between the markers replaced."""
    head, _, rest = readme.partition(BEGIN + "\n")
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n{section()}\n{END}{tail}"


def main() -> int:
    """``python tools/readme_present.py``: rewrite the section in README.md."""
    path = ROOT / "README.md"
    path.write_text(render(path.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"written: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

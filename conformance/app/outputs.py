"""A run's outputs: results.json, and the reports that render it (JUnit XML, the HTML page)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conformance.reports.html import write_html
from conformance.reports.junit import write_junit


def write_outputs(document: dict[str, Any], report_dir: Path) -> None:
    """results.json, and the reports that render it: JUnit XML and the HTML page."""
    report_dir.mkdir(parents=True, exist_ok=True)
    (report_dir / "results.json").write_text(json.dumps(document, indent=2) + "\n")
    write_junit(document, report_dir / "junit.xml")
    write_html(document, report_dir / "index.html")

"""Reports rendered from a results.json: HTML, JUnit XML, the target matrix, baselines, terminal lines.

One job per module: `results` (load, validate, redact), `verdicts` (order, colors, score), `causes`
(what to act on first), `html`, `charts`, `junit`, `matrix`, `baseline`, `terminal`, `cli`. Every writer
redacts what it writes (conformance.secrets), whether or not the results it was given were already
redacted.
"""

from .baseline import Baseline, BaselineOutcome, apply_baseline, load_baseline, write_baseline
from .html import write_html
from .junit import write_junit
from .matrix import merge
from .terminal import Progress, summary_lines

__all__ = [
    "Baseline",
    "BaselineOutcome",
    "Progress",
    "apply_baseline",
    "load_baseline",
    "merge",
    "summary_lines",
    "write_baseline",
    "write_html",
    "write_junit",
]

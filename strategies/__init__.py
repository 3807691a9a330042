"""Hypothesis strategies derived from the botocore model: valid, invalid-by-constraint, wire-level.

Small composable pieces, from the generic (`shapes`: any botocore shape) to the specific
(`requests`: labelled UpdateDeviceStatus requests; `wire`: framing variants for raw HTTP).
"""

from .requests import Labelled, boundary_examples, invalid_requests, label, valid_requests
from .sampling import draw_examples
from .shapes import from_shape
from .wire import WireRequest, wire_examples, wire_variants

__all__ = [
    "Labelled",
    "WireRequest",
    "boundary_examples",
    "draw_examples",
    "from_shape",
    "invalid_requests",
    "label",
    "valid_requests",
    "wire_examples",
    "wire_variants",
]

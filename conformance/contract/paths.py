"""Where the contract files live: `specs/` next to the packages (a checkout or an installed wheel)."""

import os
from pathlib import Path

SPECS_DIR = Path(os.environ.get("COGNITO_CONFORMANCE_SPECS", Path(__file__).resolve().parents[2] / "specs"))
EXTRACT_FILE = SPECS_DIR / "cognito-idp.extract.json"
SCHEMAS_DIR = SPECS_DIR / "schemas"
CATALOG_FILE = SPECS_DIR / "requirements.toml"

"""Who is working: the person a session records, and its promotions carry into provenance.

``PAIRREPL_PERSON`` ("Ada Lovelace <ada@example.org>") when set, else git's identity in
the project (``user.name`` and ``user.email``), else nobody known (None). The report's
knowledge map matches people by e-mail, so git's form keeps one person one person.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pairrepl.ledger import identity

PERSON_VARIABLE = "PAIRREPL_PERSON"


def person_of(project_root: Path, environ: Mapping[str, str] = os.environ) -> str | None:
    return environ.get(PERSON_VARIABLE, "").strip() or identity(project_root)

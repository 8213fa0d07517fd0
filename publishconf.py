"""Production settings: the local settings with the public address."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from pelicanconf import *  # noqa: F403

PORTAL_SITE_URL = "https://www.dafeng.gov.cn"

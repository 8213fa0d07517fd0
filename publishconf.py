"""Production settings: the local settings with the public address, and the output made
ready to serve (fingerprinted, minified, precompressed assets)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from pelicanconf import *  # noqa: F403
from pelicanconf import PLUGINS

PORTAL_SITE_URL = "https://www.dafeng.gov.cn"

# portal_assets: names carrying a content hash under /theme/ (cached for a year), minified
# CSS and JS, and a .gz and .br beside every text file for nginx's gzip_static/brotli_static.
PLUGINS = [*PLUGINS, "portal_assets"]
PORTAL_FINGERPRINT = True
PORTAL_MINIFY = True
PORTAL_PRECOMPRESS = True

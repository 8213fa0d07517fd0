"""portal_search: each language's search page and its lunr index, written inside that
language's run (so languages index in parallel), from the model's published items only.

lunr.js itself (npm ``lunr``, pinned in package.json) is copied once to /theme/js/ before the
language runs; ``theme/static/js/search.js`` loads the index parts and asks lunr.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from pelican import signals
from pelican.generators import Generator

import portal_i18n
import portal_model
from portal_build import BuildError, before_languages

from . import index

PAGE = "search/"
LUNR = Path("lunr") / "lunr.min.js"
REPO = Path(__file__).resolve().parents[2]


class SearchGenerator(Generator):
    """Writes ``search/index.html`` and ``search/<version>/…`` of the language being built."""

    def generate_output(self, writer: Any) -> None:
        site = portal_model.current()
        lang = site.language(self.settings["PORTAL_LANG"])
        built = index.build(index.documents(site.items[lang.code]), english=not lang.cjk,
                            locale=lang.locale,
                            shard_bytes=self.settings.get("PORTAL_SEARCH_SHARD_BYTES",
                                                          index.SHARD_BYTES))
        folder = Path(self.settings["OUTPUT_PATH"]) / PAGE
        built.write(folder)
        writer.write_file(f"{PAGE}index.html", self.get_template("search"), self.context,
                          target=PAGE, search_base=lang.url(f"{PAGE}{built.version}/"),
                          search_sections=built.sections, relative_urls=False)


def lunr_script(settings: dict[str, Any]) -> Path:
    """lunr.min.js from the project's node_modules (or the portal code's, for other projects)."""
    for root in (Path(settings["PORTAL_ROOT"]), REPO):
        if (root / "node_modules" / LUNR).is_file():
            return root / "node_modules" / LUNR
    raise BuildError("node_modules/lunr/lunr.min.js is missing — run `bash scripts/setup.sh` "
                     "(or `npm ci`) to install lunr.js for the search page")


def _copy_lunr(site: Any, output: Path, settings: dict[str, Any]) -> None:
    target = output / settings.get("THEME_STATIC_DIR", "theme") / "js" / "lunr.min.js"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(lunr_script(settings), target)


def _generators(_: Any) -> type[Generator]:
    return SearchGenerator


def register() -> None:
    portal_i18n.every_language.add(PAGE)
    before_languages.connect(_copy_lunr)
    signals.get_generators.connect(_generators)

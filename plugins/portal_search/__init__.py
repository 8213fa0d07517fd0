"""portal_search: each language's search page and its lunr index, written inside that
language's run (so languages index in parallel), from the model's published items only.

lunr.js itself (npm ``lunr``, pinned in package.json) is copied once to /theme/js/ before the
language runs; ``theme/static/js/search.js`` loads the index parts and asks lunr.
"""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path
from typing import Any

from pelican import signals
from pelican.generators import Generator

import portal_i18n
import portal_model
from portal_build import BuildError, before_languages, defer, keep_previous, postpone, timed
from portal_build.incremental import Files

from . import inputs

PAGE = "search/"
LUNR = Path("lunr") / "lunr.min.js"
REPO = Path(__file__).resolve().parents[2]


class SearchGenerator(Generator):
    """Writes ``search/index.html`` and ``search/<version>/…`` of the language being built."""

    def generate_output(self, writer: Any) -> None:
        site = portal_model.current()
        lang = site.language(self.settings["PORTAL_LANG"])
        folder = Path(self.settings["OUTPUT_PATH"]) / PAGE
        with timed("search"):
            documents = inputs.documents(site.items[lang.code])
            options = _options(self.settings, lang)
            digest = inputs.digest(documents, **options)
            last = _cached(site.settings, lang.code, digest)  # its version and sections
            if last is not None and keep_previous(f"{PAGE}{last.version}/"):
                built = last  # unchanged, and its files live: kept as they are
            else:
                built = (_cached(site.settings, lang.code, digest, with_files=True)
                         if last is not None else None)
                if built is None:
                    # a new index takes seconds: a pages-first build publishes the pages with
                    # the previous index and page, and builds this one right after; otherwise
                    # it is built in a worker of its own once this run is done, where it fills
                    # a core another language's run would leave idle
                    if postpone(PAGE):
                        return
                    built = inputs.Built(inputs.version(digest), {}, inputs.sections(documents))
                    if not defer(build_index, lang.code, digest, options, str(folder)):
                        built = _build(site.settings, lang.code, digest, documents, options)
                built.write(folder)
        writer.write_file(f"{PAGE}index.html", self.get_template("search"), self.context,
                          target=PAGE, search_base=lang.url(f"{PAGE}{built.version}/"),
                          search_sections=built.sections, relative_urls=False)


def _options(settings: dict[str, Any], lang: Any) -> dict[str, Any]:
    return {"english": not lang.cjk, "locale": lang.locale,
            "shard_bytes": settings.get("PORTAL_SEARCH_SHARD_BYTES", inputs.SHARD_BYTES)}


def build_index(code: str, digest: str, options: dict[str, Any], folder: str) -> Files:
    """Build a language's index into ``folder`` (its search folder in the tree being built),
    in a worker after the language's run (see ``portal_build.defer``); the files written."""
    site = portal_model.current()
    with timed("search"):
        built = _build(site.settings, code, digest, inputs.documents(site.items[code]), options)
        built.write(Path(folder))
    written = {}
    for relpath in built.files:
        stat = os.stat(Path(folder, built.version, relpath))
        written[f"{PAGE}{built.version}/{relpath}"] = (stat.st_size, stat.st_mtime_ns)
    return written


def _cache_path(settings: dict[str, Any], code: str) -> Path:
    """One file a language in the build cache holds its last index and the digest of its
    inputs: a build in which one language's items changed leaves the others' indexes."""
    return portal_model.cache_folder(settings) / "search" / f"{code}.pickle"


def _cached(settings: dict[str, Any], code: str, digest: str, with_files: bool = False
            ) -> inputs.Built | None:
    """The language's last index if its inputs are still ``digest``; its files (megabytes)
    are read only ``with_files``: the version and sections come first in the file."""
    try:
        with _cache_path(settings, code).open("rb") as kept:
            head = pickle.load(kept)
            if head["inputs"] == digest:
                files = pickle.load(kept) if with_files else {}
                return inputs.Built(head["version"], files, head["sections"])
    except (OSError, pickle.UnpicklingError, EOFError, KeyError, TypeError, AttributeError):
        pass
    return None


def _build(settings: dict[str, Any], code: str, digest: str, documents: list[Any],
           options: dict[str, Any]) -> inputs.Built:
    """Index the language anew and keep the index in the cache."""
    from . import index  # NumPy: only a build that makes an index pays for importing it

    built = index.build(documents, **options, version=inputs.version(digest))
    path = _cache_path(settings, code)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{os.getpid()}")
    with temporary.open("wb") as kept:  # streamed: no second copy of the index in memory
        head = {"inputs": digest, "version": built.version, "sections": built.sections}
        pickle.dump(head, kept, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.dump(built.files, kept, protocol=pickle.HIGHEST_PROTOCOL)
    temporary.replace(path)  # builds running side by side never read half a file
    return built


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

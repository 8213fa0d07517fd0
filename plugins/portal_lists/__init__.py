"""portal_lists: writes the home page, section lists, category and tag pages of a language,
and its mailbox form page.

What exists is decided by ``portal_model.pages``; this plugin only renders it.
"""

from __future__ import annotations

from typing import Any

from pelican import signals
from pelican.generators import Generator

import portal_model
from portal_model.pages import list_pages

TEMPLATES = {"home": "index", "section": "section", "category": "taxonomy", "tag": "taxonomy",
             "categories": "taxonomies", "tags": "taxonomies", "mailbox": "mailbox",
             "feeds": "feeds"}


class ListsGenerator(Generator):
    """Renders every list page the model says this language has."""

    def generate_output(self, writer: Any) -> None:
        site = portal_model.current()
        lang = self.settings["PORTAL_LANG"]
        for path, page in list_pages(site, lang).items():
            template = page.template or TEMPLATES[page.kind]
            writer.write_file(f"{path}index.html", self.get_template(template),
                              self.context, page=page, target=path, relative_urls=False)


def _generators(_: Any) -> type[Generator]:
    return ListsGenerator


def register() -> None:
    signals.get_generators.connect(_generators)

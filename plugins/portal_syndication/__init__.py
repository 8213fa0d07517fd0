"""portal_syndication: pushes new, updated and withdrawn items to partner news sites."""


def register() -> None:
    """Syndication runs after a build (``invoke syndicate``); it adds nothing to a build."""

"""One module per command family; :mod:`rolefinder.cli` imports them lazily."""


def login_name(fallback: str) -> str:
    """The user's login, for the author of a plan or the trainee of a quiz; ``fallback`` when the
    system cannot tell (no passwd entry in a container, no USER variable)."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return fallback

"""One module per command family; :mod:`rolefinder.cli` imports them lazily."""

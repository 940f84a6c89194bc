"""``python -m rolefinder`` runs the command line."""

from rolefinder.cli import main

main()

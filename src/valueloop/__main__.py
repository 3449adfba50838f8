"""``python -m valueloop``: the same CLI as the ``valueloop`` command."""

from valueloop.cli import main

main()

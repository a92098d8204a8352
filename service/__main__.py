"""``python -m service`` is the ``wuhao`` command."""
from .cli import main

main()

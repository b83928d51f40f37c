"""`python -m genip` runs the command line."""

from genip.cli.main import main

main()

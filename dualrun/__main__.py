"""`python -m dualrun` runs the CLI."""

from dualrun.cli import run

run()

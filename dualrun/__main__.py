"""`python -m dualrun` runs the CLI."""

from dualrun.cli import run

if __name__ == "__main__":
    run()

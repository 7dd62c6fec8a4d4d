"""Allow `python -m mkgraph`."""

from mkgraph.cli import run

if __name__ == "__main__":
    run()

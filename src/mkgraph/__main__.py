"""Allow `python -m mkgraph`."""

from mkgraph.cli import main

if __name__ == "__main__":
    main()

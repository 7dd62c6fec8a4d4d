"""The `mkgraph` program: `python -m mkgraph` and the installed `mkgraph` command.

The plain forms of `mkgraph query` are answered without importing click (mkgraph.commands:
importing click cost more than half of a cold query's time); every other command line goes to
click (mkgraph.cli) unchanged.
"""

import sys


def run(argv: list[str] | None = None, plain: bool = True) -> None:
    """Run mkgraph on `argv` (default: the process's arguments) and exit. `plain=False` sends
    every command line to click (the tests compare the two readers with it)."""
    from mkgraph import commands

    args = sys.argv[1:] if argv is None else list(argv)
    if plain:
        code = commands.run_plain(args, program=True)
        if code is not None:
            sys.exit(code)
    from mkgraph.cli import run as run_click

    run_click(None if argv is None else args)


if __name__ == "__main__":
    run()

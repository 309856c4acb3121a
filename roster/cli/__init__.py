"""The `roster` command line: option parsing only, one module per group of commands.

`root` is the group itself (and the UI when no command is given); `district` (init, import,
status), `week` (solve, check, publish), `users` (user, audit), `backup` (backup, restore),
`exports` (export, now, service), `relief` (relief, recall), `bench` (the benchmarks);
`common` holds the options and helpers they share.
"""

from roster.cli.root import cli, main

__all__ = ["cli", "main"]

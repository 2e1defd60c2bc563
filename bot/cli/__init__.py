"""The command line: `briefbot …` and its sub-commands."""

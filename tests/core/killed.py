"""A `roster …` command that SIGKILLs itself right after the first rows go into TABLE inside
its open transaction: a real kill with a half-written transaction, at a known moment.
Run as `python -c KILLED_IN_WRITE TABLE ARGS…` by the kill tests."""

KILLED_IN_WRITE = """
import os, signal, sys
import sqlite_utils.db as d
TABLE = sys.argv.pop(1)
_insert_all = d.Table.insert_all
def insert_all_then_die(self, *args, **kwargs):
    result = _insert_all(self, *args, **kwargs)
    if self.name == TABLE:
        os.kill(os.getpid(), signal.SIGKILL)
    return result
d.Table.insert_all = insert_all_then_die
from roster.cli import main
sys.argv[0] = "roster"
main()
"""

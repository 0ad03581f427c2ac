"""``pairrepl console``: the pairing loop in a line-mode console on prompt_toolkit.

A third front end on the same session core (``session/``): the same ``Session`` as the
app drives the kernel, the AI and the ledger, so a session started here resumes in the
app and the other way round. The console prints into the terminal's scrollback
(``screen.py``), reads from a prompt or a stream (``lines.py``), runs its loop in
``repl.py`` and its ``:commands`` in ``commands.py``.
"""

"""``coord dap``: the debug adapter, a DAP front-end of ``coordlang.runtime.debug``.

``protocol`` is the wire; ``adapter`` one conversation, answering through the table of
``dispatch``; the requests live in modules named for their family (``lifecycle``,
``breakpoints``, ``running``, ``inspection``, ``timeline``); ``convert`` is the one edge between
the session's types and DAP's; ``handler_host`` and ``handler_child`` run Python handlers under
debugpy; ``server`` is stdio or TCP. See ``docs/dap.md``.
"""

"""The MCP front end: nightowl as a Model Context Protocol server for assistants and IDEs.

A sibling of ``api/`` and ``ui/``, and as thin: its tools, resources and prompt call the same
``Nightowl`` and ``Records`` the API calls, every call names its caller as a ``Principal`` and asks
``app.access`` (the one table of roles), and every answer is redacted and bounded before it leaves
the process. ``nightowl mcp`` serves it over stdio; ``nightowl serve`` mounts it over streamable
HTTP at ``mcp.path`` behind the API's bearer tokens (``api.users``). Needs the ``mcp`` extra.
"""

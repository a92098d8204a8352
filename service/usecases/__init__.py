"""Use cases: what a clerk, a reviewer or an admin can do, once, for every way in.

Delivery (``service.api``, ``service.web``, the ``wuhao`` CLI) reads a request and calls these
functions; they take ``(session, actor, plain arguments)``, check who may do what
(``service.auth``), drive the domain (checks, documents, batch, parsers), add to the caller's
transaction and return models or plain data. They never commit (the request scope in
``service.http`` or the CLI's ``session_scope`` does) and never touch ``flask.request``; what
goes wrong is a ``service.errors.DomainError``.
"""

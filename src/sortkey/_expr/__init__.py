"""Internals of :mod:`sortkey.expr`: expression nodes, paths, updates and the one compiler.

Modules, each with one job:

* :mod:`.path`: document path text ↔ segments, and the overlap rule of DynamoDB.
* :mod:`.nodes`: the immutable tree (paths, operands, conditions) and its operators.
* :mod:`.update`: the :class:`~.update.Update` builder (SET / REMOVE / ADD / DELETE).
* :mod:`.projection`: projection expressions.
* :mod:`.keys`: the rules a key condition (Query) must follow.
* :mod:`.compiler`: the placeholder accumulator and rendering to wire parameters.
"""

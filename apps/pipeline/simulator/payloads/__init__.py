"""Payload builders, one function per inbound event type: explicit values in, a contract payload out.

Normal traffic and scenarios both build events through these, so a planted event has exactly the shape
of a normal one. Times are ISO strings (``formats.iso``), money integer cents, rates scaled integers.
"""

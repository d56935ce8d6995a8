"""The event spine: below the domain apps, which import it to register handlers and publish.

It never imports a domain app; handlers are found through the registry.
"""

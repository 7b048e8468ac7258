"""One module per resource; which route needs which scope is declared in ``retentio.api.app``."""

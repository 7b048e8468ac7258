"""The channels: one small interface (``port``) that every provider adapter implements, and the
adapters themselves, one module or package per provider. Which adapters run is wired in one place
(the worker and the API); the engine sees only ``port.Channel``."""

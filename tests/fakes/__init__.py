"""Fake providers for the messaging tests: each serves its provider's real protocol over a real
socket (requests, answers, errors, 429s, delivery callbacks, from the provider's documentation), so
an adapter is tested the way it runs. Integrators may use them too: see docs/messaging-fakes.md."""

"""Retentio: a self-hosted retention-marketing platform.

Each sub-package owns one area of the product (see DESIGN.md): ``events`` the way data comes in,
``customers`` the profiles, ``catalog`` the products, ``db`` the store, ``api``/``cli`` the shells.
"""

__version__ = "0.1.0"

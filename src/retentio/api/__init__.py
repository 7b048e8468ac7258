"""The HTTP API: a thin shell of routers over the areas, with API-key scopes checked in one place."""

"""``retentio apikey``: create, list and revoke the keys of the HTTP API."""

from __future__ import annotations

import typer

from retentio.api import (
    SCOPES,
    InvalidScopes,
    do_create_api_key,
    do_revoke_api_key,
    list_api_keys,
    parse_scopes,
)
from retentio.cli.context import runtime

app = typer.Typer(help="API keys (sent as 'Authorization: Bearer KEY').", no_args_is_help=True)


@app.command("create")
def create_command(
    scopes: str = typer.Option(..., "--scopes", help=f"Comma-separated: {', '.join(SCOPES)} (admin: all)."),
    name: str = typer.Option("api", "--name", help="What the key is for, to tell keys apart."),
) -> None:
    """Create a key. It is printed once, alone on the last line; only its digest is stored."""
    try:
        parsed = parse_scopes(scopes)
    except InvalidScopes as error:
        raise typer.BadParameter(str(error), param_hint="--scopes") from None
    run = runtime()
    with run.engine.begin() as connection:
        key_text, key = do_create_api_key(connection, name, parsed, run.now())
    scope_list = ",".join(sorted(key.scopes))
    typer.echo(f"created key {key.prefix} ({key.name!r}, scopes {scope_list}); it is shown only now:")
    typer.echo(key_text)


@app.command("list")
def list_command() -> None:
    """Every key: prefix, name, scopes, created, revoked."""
    run = runtime()
    with run.reader.connect() as connection:
        keys = list_api_keys(connection)
    for key in keys:
        revoked = f"revoked {key.revoked_at.isoformat()}" if key.revoked_at else "active"
        scopes = ",".join(sorted(key.scopes))
        typer.echo(f"{key.prefix}  {key.name}  {scopes}  created {key.created_at.isoformat()}  {revoked}")


@app.command("revoke")
def revoke_command(prefix: str = typer.Argument(..., help="Its prefix, as 'apikey list' shows.")) -> None:
    """Revoke a key: it is refused from then on."""
    run = runtime()
    with run.engine.begin() as connection:
        revoked = do_revoke_api_key(connection, prefix, run.now())
    if not revoked:
        typer.echo(f"error: no active key with prefix {prefix!r}", err=True)
        raise typer.Exit(1)
    typer.echo(f"revoked {revoked} key(s) with prefix {prefix}")

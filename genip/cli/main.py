"""The `genip` command line."""

import typer

app = typer.Typer(no_args_is_help=True, help="Gen-IP: certificates and licences for AI-made work.")


@app.callback()
def _root() -> None:
    """Gen-IP command line."""


def main() -> None:
    app()

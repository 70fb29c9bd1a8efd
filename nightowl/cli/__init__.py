"""Command-line adapter: Typer + Rich commands over the application."""

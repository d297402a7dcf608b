"""Commands (SPEC §8): argument parsing, scaffolding, serve, report."""

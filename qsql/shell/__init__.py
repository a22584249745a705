"""The interactive shell (prompt_toolkit)."""

"""Adapters at the edge: the command line (and, later, HTTP)."""

"""Reading publication lists and turning them into token lists.

This package imports neither ``topics`` nor ``reports``.
"""

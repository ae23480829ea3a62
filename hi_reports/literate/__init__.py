"""Literate chapters: Quarto markdown with Python cells and inline expressions, parsed and executed
in-process. A small library that knows no organisation (it imports nothing of the other stages)."""

"""How events move: raw partner topics -> normalize -> stitch -> journey topics."""

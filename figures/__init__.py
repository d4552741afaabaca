"""Static figures (matplotlib), one module per kind of figure.

They take the tables a run writes (``nodes.parquet``, ``region.parquet``), so they work on saved
results and on a live model (``model.node_table()``, ``model.region_table()``).
"""

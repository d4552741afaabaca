"""The browser app (Solara): explore and compare scenarios."""

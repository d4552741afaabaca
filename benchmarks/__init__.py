"""Performance benchmarks and the plain per-agent Mesa reference of the model's rules."""

"""The four forces, one module each: policy, market, foundation, innovation."""

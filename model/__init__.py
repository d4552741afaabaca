"""The world of the Chengdu-Chongqing digital-economy model: region, state, mechanisms, metrics."""

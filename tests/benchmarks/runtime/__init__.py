"""The runtime benchmark's parts; ``tests/benchmarks/runtime_bench.py`` runs them."""

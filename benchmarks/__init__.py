"""Benchmarks of odcs-codegen: `python -m benchmarks [--quick] [--write] [--only 1,3]`.

Sections (each a module with `run(quick) -> list[Row]`):

1. bench_checks    check execution: generated `run()` vs one hand-written DuckDB query; peak RSS
2. bench_startup   a fresh process to its first verdict; importing a generated module vs
                   reading + validating + building at run time (first_verdict.py)
3. bench_compiler  cold / warm / one-changed builds of a synthetic tree, and the command line
4. bench_peer      whole commands as fresh processes; datacontract-cli when installed (peers.py)
5. profiles        cProfile of the slowest stage of each measurement: odcs-codegen's own cost
6. bench_validation  validation timings (python-jsonschema as the contrast)
7. bench_scaling   generated `run()` vs the hand-written query for 10, 50, 200 rules
8. bench_spark     the generated Spark suite vs one hand-written Spark SQL aggregate, its
                   Spark jobs, and a partition-scoped run vs a full one (needs pyspark)

Rows report the minimum and median over repetitions and ratios against a baseline measured
in the same process; nothing asserts a timing. `--write` records the table, the machine and
the versions in benchmarks/RESULTS.md.
"""

"""Benchmarks of odcs-codegen: `python -m benchmarks [--quick] [--write] [--only 1,3]`.

Sections (each a module with `run(quick) -> list[Row]`):

1. bench_checks    check execution: generated `run()` vs one hand-written DuckDB query; peak RSS
2. bench_startup   importing a generated module vs reading + validating + building at run time
3. bench_compiler  cold / warm / one-changed builds of a synthetic tree, and the command line
4. bench_peer      datacontract-cli on the same contract and data, when it is installed
5. profiles        cProfile of the slowest stage of each measurement: odcs-codegen's own cost
6. bench_validation  validation timings (python-jsonschema as the contrast)

Rows report the minimum and median over repetitions and ratios against a baseline measured
in the same process; nothing asserts a timing. `--write` records the table, the machine and
the versions in benchmarks/RESULTS.md.
"""

"""Orchestration code generated beside a check package: Airflow DAGs (``airflow``) and Dagster
asset checks (``dagster``), from the facts of its compiled contracts (``facts``).

Generating them needs neither Airflow nor Dagster; the files they write import only their
orchestrator and the check package.
"""

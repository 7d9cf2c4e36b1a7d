"""OpenMetadata: a custom ingestion connector for ODCS contracts, and its starter workflow.

``source.ContractSource`` is an ingestion ``Source`` for a ``customDatabase`` service (it needs
the ``openmetadata`` extra, imported only by that module); ``mapping`` turns a contract into
OpenMetadata's create requests as plain data and ``workflow`` writes the starter workflow YAML
(both need nothing beyond odcs-codegen). Publishing run results lives in the runtime
(``odcs_codegen._runtime.openmetadata``), so generated packages can publish on their own.
"""

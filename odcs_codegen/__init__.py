"""odcs-codegen: compile ODCS data contracts into static DQX check modules."""

__version__ = "0.2.0"

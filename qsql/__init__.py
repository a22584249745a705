"""qsql: Flink-style SQL that calls large language models, on one machine."""

__version__ = "0.1.0"

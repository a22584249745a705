"""Carrying a qsql script to Apache Flink: translation (no PyFlink needed), export, and the
``--engine flink`` runner (PyFlink, imported only when a script runs on Flink)."""

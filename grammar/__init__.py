"""The qsql grammar (qsql.lark), installed as package data of ``qsql.grammar``."""

# Adapted from apache/flink flink-table/flink-sql-client/src/test/resources/sql/set.q
# Kept: SET / RESET of keys and the statements around them that run in batch. Stripped (see
# README.md): CREATE TABLE ... AS SELECT, ADD/REMOVE/SHOW JARS, CREATE FUNCTION with a Java UDF,
# the Hive-dialect CREATE TABLE, and the listings of `set;`, whose rows are the cluster's
# configuration (execution.target, rest.port, jobmanager address ...), which qsql has none of.

SET 'sql-client.execution.result-mode' = 'tableau';
[INFO] Execute statement succeed.
!info

SET 'table.dml-sync' = 'true';
[INFO] Execute statement succeed.
!info

RESET 'table.dml-sync';
[INFO] Execute statement succeed.
!info

SELECT * from (VALUES (1)) T(id);
+----+
| id |
+----+
|  1 |
+----+
1 row in set
!ok

reset 'table.resources.download-dir';
[INFO] Execute statement succeed.
!info

reset;
[INFO] Execute statement succeed.
!info

set 'sql-client.verbose' = 'true';
[INFO] Execute statement succeed.
!info

set 'execution.attached' = 'false';
[INFO] Execute statement succeed.
!info

reset 'execution.attached';
[INFO] Execute statement succeed.
!info

reset;
[INFO] Execute statement succeed.
!info

SET 'sql-client.execution.result-mode' = 'tableau';
[INFO] Execute statement succeed.
!info

SET 'sql-client.display.print-time-cost' = 'false';
[INFO] Execute statement succeed.
!info

SELECT id, LOWER(str) FROM (VALUES (1, 'Hello World')) AS T(id, str) ;
+----+-------------+
| id |      EXPR$1 |
+----+-------------+
|  1 | hello world |
+----+-------------+
1 row in set
!ok

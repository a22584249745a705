# Adapted from apache/flink flink-table/flink-sql-client/src/test/resources/sql/statement_set.q
# Kept: the unquoted SET statements and the batch half. Stripped (see README.md): the 'values'
# test connector table and the streaming half (a streaming INSERT and its changelog SELECT).

SET sql-client.execution.result-mode = tableau;
[INFO] Session property has been set.
!info

SET table.dml-sync=true;
[INFO] Session property has been set.
!info

SET execution.runtime-mode = batch;
[INFO] Session property has been set.
!info

create table BatchTable (
id int,
str string
) with (
'connector' = 'filesystem',
'path' = '$VAR_BATCH_PATH',
'format' = 'csv'
);
[INFO] Execute statement succeed.
!info

BEGIN STATEMENT SET;
[INFO] Begin a statement set.
!info

BEGIN STATEMENT SET;
[ERROR] Could not execute SQL statement. Reason:
org.apache.flink.table.client.gateway.SqlExecutionException: Only INSERT statement is allowed in Statement Set.
!error

create table src (
  id int,
  str string
) with (
  'connector' = 'blackhole'
);
[ERROR] Could not execute SQL statement. Reason:
org.apache.flink.table.client.gateway.SqlExecutionException: Only INSERT statement is allowed in Statement Set.
!error

SELECT id, str FROM (VALUES (1, 'Hello World'), (2, 'Hi'), (2, 'Hi')) as T(id, str);
[ERROR] Could not execute SQL statement. Reason:
org.apache.flink.table.client.gateway.SqlExecutionException: Only INSERT statement is allowed in Statement Set.
!error

INSERT INTO BatchTable SELECT * FROM (VALUES (1, 'Hello World'), (2, 'Hi'), (2, 'Hi'), (3, 'Hello'), (3, 'World'), (4, 'ADD'), (5, 'LINE'));
[INFO] Add SQL update statement to the statement set.
!info

END;
[INFO] Submitting SQL update statement to the cluster...
[INFO] Execute statement in sync mode. Please wait for the execution finish...
[INFO] Complete execution of the SQL update statement.
!info

END;
[ERROR] Could not execute SQL statement. Reason:
org.apache.flink.table.client.gateway.SqlExecutionException: No Statement Set to submit, "END;" command should be used after "BEGIN STATEMENT SET;".
!error

SELECT * FROM BatchTable;
+----+-------------+
| id |         str |
+----+-------------+
|  1 | Hello World |
|  2 |          Hi |
|  2 |          Hi |
|  3 |       Hello |
|  3 |       World |
|  4 |         ADD |
|  5 |        LINE |
+----+-------------+
7 rows in set
!ok

BEGIN STATEMENT SET;
[INFO] Begin a statement set.
!info

END;
[INFO] No statement in the statement set, skip submit.
!info

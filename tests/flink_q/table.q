# Adapted from apache/flink flink-table/flink-sql-client/src/test/resources/sql/table.q
# Kept: its validation block and the first statements on a table. Stripped (see README.md):
# computed columns, PRIMARY KEY, WATERMARK, the ALTER TABLE blocks on those (constraints,
# watermarks, computed columns), SHOW CREATE TABLE of those, catalogs and databases,
# CREATE TABLE ... LIKE, and the streaming-only statements: most of the file.

create table tbl(a int, b as invalid_function());
[ERROR] Could not execute SQL statement. Reason:
org.apache.calcite.sql.validate.SqlValidatorException: No match found for function signature invalid_function()
!error

drop table non_exist;
[ERROR] Could not execute SQL statement. Reason:
org.apache.flink.table.api.ValidationException: Table with identifier 'default_catalog.default_database.non_exist' does not exist.
!error

describe non_exist;
[ERROR] Could not execute SQL statement. Reason:
org.apache.flink.table.api.ValidationException: Tables or views with the identifier 'default_catalog.default_database.non_exist' doesn't exist.
!error

desc non_exist;
[ERROR] Could not execute SQL statement. Reason:
org.apache.flink.table.api.ValidationException: Tables or views with the identifier 'default_catalog.default_database.non_exist' doesn't exist.
!error

alter table non_exist rename to non_exist2;
[ERROR] Could not execute SQL statement. Reason:
org.apache.flink.table.api.ValidationException: Table `default_catalog`.`default_database`.`non_exist` doesn't exist or is a temporary table.
!error

alter table if exists non_exist rename to non_exist2;
[INFO] Execute statement succeed.
!info

CREATE TABLE IF NOT EXISTS orders (
 `user` BIGINT NOT NULl,
 product VARCHAR(32),
 amount INT,
 ts TIMESTAMP(3)
) with (
 'connector' = 'datagen',
 'number-of-rows' = '10'
);
[INFO] Execute statement succeed.
!info

show tables;
+------------+
| table name |
+------------+
|     orders |
+------------+
1 row in set
!ok

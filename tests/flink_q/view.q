# Adapted from apache/flink flink-table/flink-sql-client/src/test/resources/sql/view.q
# Stripped (see README.md): the computed column ptime AS PROCTIME(), the WATERMARK and the
# PRIMARY KEY of `orders`; 'number-of-rows' added (qsql runs bounded statements). The DESCRIBE /
# SHOW COLUMNS tables are Flink's with the ptime row and the *ROWTIME* marker removed, re-sized
# by the SQL client's rule (each column as wide as its widest cell).

CREATE TABLE orders (
 `user` BIGINT NOT NULl,
 product VARCHAR(32),
 amount INT,
 ts TIMESTAMP(3)
) with (
 'connector' = 'datagen',
 'number-of-rows' = '10'
);
[INFO] Execute statement succeeded.
!info

create temporary view v1 as select * from orders;
[INFO] Execute statement succeeded.
!info

create temporary view v1 as select * from orders;
[ERROR] Could not execute SQL statement. Reason:
org.apache.flink.table.api.ValidationException: Temporary table '`default_catalog`.`default_database`.`v1`' already exists
!error

create temporary view if not exists v1 as select * from orders;
[INFO] Execute statement succeeded.
!info

select * from v1 /*+ OPTIONS('number-of-rows' = '1') */;
[ERROR] Could not execute SQL statement. Reason:
org.apache.flink.table.api.ValidationException: View '`default_catalog`.`default_database`.`v1`' cannot be enriched with new options. Hints can only be applied to tables.
!error

create temporary view if not exists v2 as select * from v1;
[INFO] Execute statement succeeded.
!info

show create view v1;
+-+
| result |
+-+
| CREATE TEMPORARY VIEW `default_catalog`.`default_database`.`v1` (
  `user`,
  `product`,
  `amount`,
  `ts`
)
AS SELECT `orders`.`user`, `orders`.`product`, `orders`.`amount`, `orders`.`ts`
FROM `default_catalog`.`default_database`.`orders` AS `orders`
 |
+-+
1 row in set
!ok

show create view v2;
+-+
| result |
+-+
| CREATE TEMPORARY VIEW `default_catalog`.`default_database`.`v2` (
  `user`,
  `product`,
  `amount`,
  `ts`
)
AS SELECT `v1`.`user`, `v1`.`product`, `v1`.`amount`, `v1`.`ts`
FROM `default_catalog`.`default_database`.`v1` AS `v1`
 |
+-+
1 row in set
!ok

show tables;
+------------+
| table name |
+------------+
|     orders |
|         v1 |
|         v2 |
+------------+
3 rows in set
!ok

show views;
+-----------+
| view name |
+-----------+
|        v1 |
|        v2 |
+-----------+
2 rows in set
!ok

show create table v1;
[ERROR] Could not execute SQL statement. Reason:
org.apache.flink.table.api.TableException: SHOW CREATE TABLE is only supported for tables, but `default_catalog`.`default_database`.`v1` is a view. Please use SHOW CREATE VIEW instead.
!error

create view v1 as select * from orders;
[INFO] Execute statement succeeded.
!info

create view v1 as select * from orders;
[ERROR] Could not execute SQL statement. Reason:
org.apache.flink.table.catalog.exceptions.TableAlreadyExistException: Table (or view) default_database.v1 already exists in Catalog default_catalog.
!error

create view permanent_v1 as select * from orders;
[INFO] Execute statement succeeded.
!info

show create view permanent_v1;
+-+
| result |
+-+
| CREATE VIEW `default_catalog`.`default_database`.`permanent_v1` (
  `user`,
  `product`,
  `amount`,
  `ts`
)
AS SELECT `orders`.`user`, `orders`.`product`, `orders`.`amount`, `orders`.`ts`
FROM `default_catalog`.`default_database`.`orders` AS `orders`
 |
+-+
1 row in set
!ok

drop view permanent_v1;
[INFO] Execute statement succeeded.
!info

show views;
+-----------+
| view name |
+-----------+
|        v1 |
|        v2 |
+-----------+
2 rows in set
!ok

describe v1;
+---------+--------------+-------+-----+--------+-----------+
|    name |         type |  null | key | extras | watermark |
+---------+--------------+-------+-----+--------+-----------+
|    user |       BIGINT | FALSE |     |        |           |
| product |  VARCHAR(32) |  TRUE |     |        |           |
|  amount |          INT |  TRUE |     |        |           |
|      ts | TIMESTAMP(3) |  TRUE |     |        |           |
+---------+--------------+-------+-----+--------+-----------+
4 rows in set
!ok

show columns from v1;
+---------+--------------+-------+-----+--------+-----------+
|    name |         type |  null | key | extras | watermark |
+---------+--------------+-------+-----+--------+-----------+
|    user |       BIGINT | FALSE |     |        |           |
| product |  VARCHAR(32) |  TRUE |     |        |           |
|  amount |          INT |  TRUE |     |        |           |
|      ts | TIMESTAMP(3) |  TRUE |     |        |           |
+---------+--------------+-------+-----+--------+-----------+
4 rows in set
!ok

show columns in v1;
+---------+--------------+-------+-----+--------+-----------+
|    name |         type |  null | key | extras | watermark |
+---------+--------------+-------+-----+--------+-----------+
|    user |       BIGINT | FALSE |     |        |           |
| product |  VARCHAR(32) |  TRUE |     |        |           |
|  amount |          INT |  TRUE |     |        |           |
|      ts | TIMESTAMP(3) |  TRUE |     |        |           |
+---------+--------------+-------+-----+--------+-----------+
4 rows in set
!ok

show columns from v1 like '%u';
Empty set
!ok

show columns in v1 like '%u';
Empty set
!ok

show columns from v1 not like '%u';
+---------+--------------+-------+-----+--------+-----------+
|    name |         type |  null | key | extras | watermark |
+---------+--------------+-------+-----+--------+-----------+
|    user |       BIGINT | FALSE |     |        |           |
| product |  VARCHAR(32) |  TRUE |     |        |           |
|  amount |          INT |  TRUE |     |        |           |
|      ts | TIMESTAMP(3) |  TRUE |     |        |           |
+---------+--------------+-------+-----+--------+-----------+
4 rows in set
!ok

show columns in v1 not like '%u';
+---------+--------------+-------+-----+--------+-----------+
|    name |         type |  null | key | extras | watermark |
+---------+--------------+-------+-----+--------+-----------+
|    user |       BIGINT | FALSE |     |        |           |
| product |  VARCHAR(32) |  TRUE |     |        |           |
|  amount |          INT |  TRUE |     |        |           |
|      ts | TIMESTAMP(3) |  TRUE |     |        |           |
+---------+--------------+-------+-----+--------+-----------+
4 rows in set
!ok

show columns from v1 like '%r';
+------+--------+-------+-----+--------+-----------+
| name |   type |  null | key | extras | watermark |
+------+--------+-------+-----+--------+-----------+
| user | BIGINT | FALSE |     |        |           |
+------+--------+-------+-----+--------+-----------+
1 row in set
!ok

show columns in v1 like '%r';
+------+--------+-------+-----+--------+-----------+
| name |   type |  null | key | extras | watermark |
+------+--------+-------+-----+--------+-----------+
| user | BIGINT | FALSE |     |        |           |
+------+--------+-------+-----+--------+-----------+
1 row in set
!ok

show columns from v1 not like '%r';
+---------+--------------+------+-----+--------+-----------+
|    name |         type | null | key | extras | watermark |
+---------+--------------+------+-----+--------+-----------+
| product |  VARCHAR(32) | TRUE |     |        |           |
|  amount |          INT | TRUE |     |        |           |
|      ts | TIMESTAMP(3) | TRUE |     |        |           |
+---------+--------------+------+-----+--------+-----------+
3 rows in set
!ok

show columns in v1 not like '%r';
+---------+--------------+------+-----+--------+-----------+
|    name |         type | null | key | extras | watermark |
+---------+--------------+------+-----+--------+-----------+
| product |  VARCHAR(32) | TRUE |     |        |           |
|  amount |          INT | TRUE |     |        |           |
|      ts | TIMESTAMP(3) | TRUE |     |        |           |
+---------+--------------+------+-----+--------+-----------+
3 rows in set
!ok

show columns from v1 like '%u%';
+---------+-------------+-------+-----+--------+-----------+
|    name |        type |  null | key | extras | watermark |
+---------+-------------+-------+-----+--------+-----------+
|    user |      BIGINT | FALSE |     |        |           |
| product | VARCHAR(32) |  TRUE |     |        |           |
|  amount |         INT |  TRUE |     |        |           |
+---------+-------------+-------+-----+--------+-----------+
3 rows in set
!ok

show columns in v1 like '%u%';
+---------+-------------+-------+-----+--------+-----------+
|    name |        type |  null | key | extras | watermark |
+---------+-------------+-------+-----+--------+-----------+
|    user |      BIGINT | FALSE |     |        |           |
| product | VARCHAR(32) |  TRUE |     |        |           |
|  amount |         INT |  TRUE |     |        |           |
+---------+-------------+-------+-----+--------+-----------+
3 rows in set
!ok

show columns from v1 not like '%u%';
+------+--------------+------+-----+--------+-----------+
| name |         type | null | key | extras | watermark |
+------+--------------+------+-----+--------+-----------+
|   ts | TIMESTAMP(3) | TRUE |     |        |           |
+------+--------------+------+-----+--------+-----------+
1 row in set
!ok

show columns in v1 not like '%u%';
+------+--------------+------+-----+--------+-----------+
| name |         type | null | key | extras | watermark |
+------+--------------+------+-----+--------+-----------+
|   ts | TIMESTAMP(3) | TRUE |     |        |           |
+------+--------------+------+-----+--------+-----------+
1 row in set
!ok

show columns from v1 like 'use_';
+------+--------+-------+-----+--------+-----------+
| name |   type |  null | key | extras | watermark |
+------+--------+-------+-----+--------+-----------+
| user | BIGINT | FALSE |     |        |           |
+------+--------+-------+-----+--------+-----------+
1 row in set
!ok

show columns in v1 like 'use_';
+------+--------+-------+-----+--------+-----------+
| name |   type |  null | key | extras | watermark |
+------+--------+-------+-----+--------+-----------+
| user | BIGINT | FALSE |     |        |           |
+------+--------+-------+-----+--------+-----------+
1 row in set
!ok

show columns from v1 not like 'use_';
+---------+--------------+------+-----+--------+-----------+
|    name |         type | null | key | extras | watermark |
+---------+--------------+------+-----+--------+-----------+
| product |  VARCHAR(32) | TRUE |     |        |           |
|  amount |          INT | TRUE |     |        |           |
|      ts | TIMESTAMP(3) | TRUE |     |        |           |
+---------+--------------+------+-----+--------+-----------+
3 rows in set
!ok

show columns in v1 not like 'use_';
+---------+--------------+------+-----+--------+-----------+
|    name |         type | null | key | extras | watermark |
+---------+--------------+------+-----+--------+-----------+
| product |  VARCHAR(32) | TRUE |     |        |           |
|  amount |          INT | TRUE |     |        |           |
|      ts | TIMESTAMP(3) | TRUE |     |        |           |
+---------+--------------+------+-----+--------+-----------+
3 rows in set
!ok

drop view v1;
[ERROR] Could not execute SQL statement. Reason:
org.apache.flink.table.api.ValidationException: Temporary view with identifier '`default_catalog`.`default_database`.`v1`' exists. Drop it first before removing the permanent view.
!error

drop temporary view v1;
[INFO] Execute statement succeeded.
!info

drop view v1;
[INFO] Execute statement succeeded.
!info

drop view non_exist;
[ERROR] Could not execute SQL statement. Reason:
org.apache.flink.table.api.ValidationException: View with identifier 'default_catalog.default_database.non_exist' does not exist.
!error

create view `mod` as select * from orders;
[INFO] Execute statement succeeded.
!info

describe `mod`;
+---------+--------------+-------+-----+--------+-----------+
|    name |         type |  null | key | extras | watermark |
+---------+--------------+-------+-----+--------+-----------+
|    user |       BIGINT | FALSE |     |        |           |
| product |  VARCHAR(32) |  TRUE |     |        |           |
|  amount |          INT |  TRUE |     |        |           |
|      ts | TIMESTAMP(3) |  TRUE |     |        |           |
+---------+--------------+-------+-----+--------+-----------+
4 rows in set
!ok

desc `mod`;
+---------+--------------+-------+-----+--------+-----------+
|    name |         type |  null | key | extras | watermark |
+---------+--------------+-------+-----+--------+-----------+
|    user |       BIGINT | FALSE |     |        |           |
| product |  VARCHAR(32) |  TRUE |     |        |           |
|  amount |          INT |  TRUE |     |        |           |
|      ts | TIMESTAMP(3) |  TRUE |     |        |           |
+---------+--------------+-------+-----+--------+-----------+
4 rows in set
!ok

drop view `mod`;
[INFO] Execute statement succeeded.
!info

show tables;
+------------+
| table name |
+------------+
|     orders |
|         v2 |
+------------+
2 rows in set
!ok

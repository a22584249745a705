-- Settings, SHOW, a statement set and qsql-only settings (left out on Flink, with a warning).
SET 'qsql.cache' = 'off';
SET 'table.exec.async-ml-predict.max-concurrent-operations' = '4';
CREATE TEMPORARY VIEW nums(n, label) AS VALUES (1, 'one'), (2, 'two'), (3, 'three');
CREATE TEMPORARY TABLE small (n INT, label STRING) WITH ('connector' = 'print', 'print-identifier' = 'small');
CREATE TEMPORARY TABLE big (n INT, label STRING) WITH ('connector' = 'print', 'print-identifier' = 'big');
SHOW TABLES;
EXECUTE STATEMENT SET
BEGIN
  INSERT INTO small SELECT n, label FROM nums WHERE n < 2;
  INSERT INTO big SELECT n, UPPER(label) FROM nums WHERE n >= 2;
END;
BEGIN STATEMENT SET;
INSERT INTO small SELECT n * 10, label FROM nums WHERE n = 1;
END;
SELECT label, n * 2 AS twice FROM nums WHERE n > 1 ORDER BY n;

-- Joins, aggregates, CASE, string functions, a SELECT table and print sinks: no model involved.
CREATE TEMPORARY VIEW staff(id, name, dept, salary) AS VALUES
  (1, 'ann', 'eng', 120.50),
  (2, 'bob', 'eng', 99.25),
  (3, 'cy', 'ops', 80.00),
  (4, 'dee', 'sales', 70.75),
  (5, 'eve', 'eng', 101.00);

CREATE TEMPORARY VIEW depts(dept, title, lvl) AS VALUES
  ('eng', 'Engineering', 3),
  ('ops', 'Operations', 1),
  ('hr', 'People', 2);

CREATE TEMPORARY TABLE by_dept (title STRING, people BIGINT, total DECIMAL(10, 2), top_paid STRING)
  WITH ('connector' = 'print');

CREATE TEMPORARY TABLE unmatched (id INT, name STRING, title STRING, band STRING)
  WITH ('connector' = 'print', 'print-identifier' = 'left');

INSERT INTO by_dept
SELECT d.title, COUNT(*), SUM(s.salary), MAX(UPPER(s.name))
FROM staff AS s JOIN depts AS d ON s.dept = d.dept
GROUP BY d.title
HAVING COUNT(*) >= 1;

INSERT INTO unmatched
SELECT s.id, s.name, d.title, CASE WHEN s.salary >= 100 THEN 'high' ELSE 'base' END
FROM staff AS s LEFT JOIN depts AS d ON s.dept = d.dept
WHERE d.title IS NULL OR s.id > 3;

SELECT dept, COUNT(*) AS people, AVG(salary) AS avg_salary, MIN(id) AS first_id
FROM staff GROUP BY dept ORDER BY dept;

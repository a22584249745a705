-- Everyday SQL around ML_PREDICT (tests/test_everyday_sql.py has more): a prompt built in a
-- subquery, labels counted with FILTER, a CTAS print sink, and an embedding's elements through
-- UNNEST WITH ORDINALITY. Every statement here runs in Flink 2.3 with the same rows.
USE CATALOG default_catalog;
USE default_database;

CREATE MODEL labeller
INPUT (prompt STRING)
OUTPUT (label STRING)
WITH ('provider' = 'qwen', 'api-key' = '${DASHSCOPE_API_KEY}', 'model' = 'qwen-plus');

CREATE MODEL embedder
INPUT (doc STRING)
OUTPUT (embedding ARRAY<FLOAT>)
WITH ('provider' = 'qwen', 'api-key' = '${DASHSCOPE_API_KEY}', 'model' = 'text-embedding-v4', 'dimension' = '64');

CREATE TEMPORARY VIEW reviews(id, region, review) AS VALUES
  (1, 'eu', 'good'), (2, 'eu', 'bad'), (3, 'us', 'good'), (4, 'us', CAST(NULL AS STRING));

CREATE TABLE labelled WITH ('connector' = 'print', 'print-identifier' = 'labelled') AS
SELECT id, region, UPPER(label) AS label
FROM ML_PREDICT((SELECT id, region, 'Label: ' || review AS prompt FROM reviews), MODEL labeller, DESCRIPTOR(prompt));

CREATE TEMPORARY TABLE counts (region STRING, good BIGINT, total BIGINT) WITH ('connector' = 'print', 'print-identifier' = 'counts');
INSERT INTO counts
SELECT region, COUNT(*) FILTER (WHERE label LIKE '%good'), COUNT(*)
FROM ML_PREDICT(TABLE reviews, MODEL labeller, DESCRIPTOR(review))
GROUP BY region;

CREATE TEMPORARY TABLE dims (id INT, pos INT, positive BOOLEAN) WITH ('connector' = 'print', 'print-identifier' = 'dims');
INSERT INTO dims
SELECT p.id, pos, x > 0
FROM ML_PREDICT(TABLE reviews, MODEL embedder, DESCRIPTOR(review)) AS p
CROSS JOIN UNNEST(p.embedding) WITH ORDINALITY AS u (x, pos)
WHERE pos <= 2;

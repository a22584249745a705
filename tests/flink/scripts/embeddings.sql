-- ML_PREDICT with an embedding model, vectors printed as Flink prints ARRAY<FLOAT>.
CREATE MODEL embedder
INPUT (text STRING)
OUTPUT (vec ARRAY<FLOAT>)
WITH (
  'provider' = 'qwen',
  'model' = 'text-embedding-v4',
  'dimension' = '64',
  'batch-size' = '4'
);

CREATE TEMPORARY VIEW docs(id, body) AS VALUES (1, 'first document'), (2, 'second'), (3, 'third one');

CREATE TEMPORARY TABLE vectors (id INT, dims INT, head ARRAY<FLOAT>) WITH ('connector' = 'print');

INSERT INTO vectors
SELECT id, CARDINALITY(vec), ARRAY[vec[1], vec[2], vec[64]]
FROM ML_PREDICT(TABLE docs, MODEL embedder, DESCRIPTOR(body));

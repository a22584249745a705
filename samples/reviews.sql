-- Product reviews -> sentiment (chat) + embedding -> JSON lines.
--   qsql run --stub samples/reviews.sql     offline; writes samples/out/reviews_enriched.jsonl
--   qsql run samples/reviews.sql            real Qwen (DASHSCOPE_API_KEY)
-- Paths are relative to the directory qsql runs in (the repository root here).
-- Everything here is Flink SQL: the same statements ran on Flink 2.3 (with an OpenAI-compatible
-- provider in place of 'qwen'), where the sink path becomes a directory of part files.

CREATE TEMPORARY TABLE reviews (
  id INT,
  product STRING,
  rating INT,
  review STRING
) WITH (
  'connector' = 'filesystem',
  'path' = 'samples/reviews.csv',
  'format' = 'csv',
  'csv.allow-comments' = 'true'  -- the file's first line, '# id,product,...', names the columns
);

CREATE MODEL sentiment
INPUT (prompt STRING)
OUTPUT (sentiment STRING)
WITH (
  'provider' = 'qwen',
  'model' = 'qwen-plus',
  'system-prompt' = 'Classify the sentiment of a product review. Answer with exactly one word: positive, negative or neutral.',
  'temperature' = '0'
);

CREATE MODEL embedder
INPUT (text STRING)
OUTPUT (embedding ARRAY<FLOAT>)
WITH (
  'provider' = 'qwen',
  'model' = 'text-embedding-v4',
  'dimension' = '64'
);

-- Filter before paying for a call: reviews without a rating are left out.
CREATE TEMPORARY VIEW prompts AS
SELECT id, product, rating, review, 'Review of a ' || product || ': ' || review AS prompt
FROM reviews
WHERE rating IS NOT NULL;

CREATE TEMPORARY VIEW classified AS
SELECT id, product, rating, review, sentiment
FROM ML_PREDICT(TABLE prompts, MODEL sentiment, DESCRIPTOR(prompt));

CREATE TEMPORARY TABLE enriched (
  id INT,
  product STRING,
  rating INT,
  sentiment STRING,
  embedding ARRAY<FLOAT>
) WITH (
  'connector' = 'filesystem',
  'path' = 'samples/out/reviews_enriched.jsonl',
  'format' = 'json'
);

INSERT OVERWRITE enriched
SELECT id, product, rating, sentiment, embedding
FROM ML_PREDICT(TABLE classified, MODEL embedder, DESCRIPTOR(review));

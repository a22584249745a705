-- ML_PREDICT with a chat model: options in both spellings, n = 2, a NULL input (no request,
-- no row), and a row the service refuses, dropped under IGNORE (as Flink does without an
-- `error-string` output column).
CREATE MODEL assistant
INPUT (prompt STRING)
OUTPUT (reply STRING)
WITH (
  'provider' = 'qwen',
  'api-key' = '${DASHSCOPE_API_KEY}',
  'model' = 'qwen-plus',
  'system-prompt' = 'Answer in one word.',
  'temperature' = '0.2',
  'top_p' = '0.9',
  'max-tokens' = '16',
  'n' = '2',
  'error-handling-strategy' = 'IGNORE'
);

CREATE TEMPORARY VIEW questions(id, question) AS VALUES
  (1, 'Colour of the sky?'),
  (2, CAST(NULL AS STRING)),
  (3, 'Refused [[stub:status=400]]'),
  (4, '中文问题？');

CREATE TEMPORARY TABLE answers (id INT, question STRING, reply STRING) WITH ('connector' = 'print');

INSERT INTO answers
SELECT id, question, reply
FROM ML_PREDICT(TABLE questions, MODEL assistant, DESCRIPTOR(question));

-- The seed example: mask ID numbers with a Qwen chat model, print the result as Flink does.
-- Runs unchanged on Flink (with a model provider for 'qwen') and on qsql:
--   qsql run samples/desensitize.sql           real Qwen; needs DASHSCOPE_API_KEY
--   qsql run --stub samples/desensitize.sql    offline, synthetic replies

CREATE MODEL ai_data_desensitization
INPUT (input STRING)
OUTPUT (content STRING)
WITH (
  'provider' = 'qwen',
  'endpoint' = 'https://dashscope.aliyuncs.com/compatible-mode/v1',
  'api-key' = '${DASHSCOPE_API_KEY}',
  'model' = 'qwen-plus',
  'system-prompt' = 'Please desensitize the last four digits of the entered data ID number into*.'
);

CREATE TEMPORARY VIEW user_info(id, user_name, info, actual_label)
AS VALUES
  (1, 'mj', 'My name is mj, ID number number: 412721199803135419.', 'positive'),
  (2, 'ann', 'Ann here; my ID is 110105199001011234, call me.', 'positive'),
  (3, '李雷', '我的身份证号是 330106198512123456。', 'negative');

CREATE TEMPORARY TABLE print_sink(
  id BIGINT,
  user_name VARCHAR,
  predicit_label VARCHAR,
  actual_label VARCHAR
) WITH (
  'connector' = 'print'
);

INSERT INTO print_sink
SELECT id, user_name, content AS predicit_label, actual_label
FROM ML_PREDICT(
    TABLE user_info,
    MODEL ai_data_desensitization,
    DESCRIPTOR(info));

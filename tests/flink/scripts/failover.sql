-- A request the service refuses, under FAILOVER: the statement (the Flink job) fails.
CREATE MODEL strict_model INPUT (input STRING) OUTPUT (content STRING)
WITH ('provider' = 'qwen', 'model' = 'qwen-plus', 'error-handling-strategy' = 'FAILOVER');
CREATE TEMPORARY VIEW v(id, txt) AS VALUES (1, 'fine'), (2, 'bad [[stub:status=400]]');
CREATE TEMPORARY TABLE s (id INT, content STRING) WITH ('connector' = 'print');
INSERT INTO s SELECT id, content FROM ML_PREDICT(TABLE v, MODEL strict_model, DESCRIPTOR(txt));

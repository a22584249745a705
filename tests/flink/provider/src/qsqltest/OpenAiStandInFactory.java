package qsqltest;

// qsql's test stand-in for Flink's flink-model-openai (a Maven artifact that the PyFlink wheel
// does not ship and the test machines cannot download). Same factory identifier ('openai'), the
// same option keys as Flink's OpenAIOptions, the OpenAI wire format over java.net.http. It exists
// so that qsql's tests run Flink's real planner, ML_PREDICT checks and async runtime against
// qsql's stub server; it is not Flink's implementation (no tokenizer: max-context-size is accepted
// and not enforced).

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.factories.ModelProviderFactory;
import org.apache.flink.table.functions.AsyncPredictFunction;
import org.apache.flink.table.functions.PredictFunction;
import org.apache.flink.table.ml.AsyncPredictRuntimeProvider;
import org.apache.flink.table.ml.ModelProvider;
import org.apache.flink.table.ml.PredictRuntimeProvider;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.FloatType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.VarCharType;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ArrayNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.Serializable;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

public class OpenAiStandInFactory implements ModelProviderFactory {

    private static ConfigOption<String> text(String key) { return ConfigOptions.key(key).stringType().noDefaultValue(); }
    private static ConfigOption<Double> real(String key) { return ConfigOptions.key(key).doubleType().noDefaultValue(); }
    private static ConfigOption<Long> whole(String key) { return ConfigOptions.key(key).longType().noDefaultValue(); }

    static final ConfigOption<String> ENDPOINT = text("endpoint");
    static final ConfigOption<String> API_KEY = text("api-key");
    static final ConfigOption<String> MODEL = text("model");

    static final List<ConfigOption<?>> OPTIONAL = Arrays.asList(
            ConfigOptions.key("system-prompt").stringType().defaultValue("You are a helpful assistant."),
            real("temperature"), real("top-p"), text("stop"), whole("max-tokens"), real("presence-penalty"),
            whole("n"), whole("seed"), text("response-format"), whole("dimension"),
            ConfigOptions.key("max-context-size").intType().noDefaultValue(),
            text("context-overflow-action"), text("error-handling-strategy"),
            ConfigOptions.key("retry-num").intType().noDefaultValue(), text("retry-fallback-strategy"));

    @Override public String factoryIdentifier() { return "openai"; }

    @Override public Set<ConfigOption<?>> requiredOptions() {
        return new LinkedHashSet<>(Arrays.asList(ENDPOINT, API_KEY, MODEL));
    }

    @Override public Set<ConfigOption<?>> optionalOptions() { return new LinkedHashSet<>(OPTIONAL); }

    @Override
    public ModelProvider createModelProvider(Context context) {
        FactoryUtil.ModelProviderFactoryHelper helper = FactoryUtil.createModelProviderFactoryHelper(this, context);
        helper.validate();  // rejects unknown keys with Flink's own "Unsupported options found" message
        ReadableConfig config = helper.getOptions();
        String endpoint = config.get(ENDPOINT);
        boolean embeddings;
        if (endpoint.endsWith("/chat/completions")) embeddings = false;
        else if (endpoint.endsWith("/embeddings")) embeddings = true;
        else throw new IllegalArgumentException("Unsupported endpoint: " + endpoint);
        // flink-model-openai's planning-time column check (AbstractOpenAIModelFunction /
        // OpenAIModelCommons.validateSingleColumnSchema): one physical column of exactly the type
        // it reads or writes, input first; qsql refuses the same shapes (qsql/models/flink_columns.py).
        checkSingleColumn(context.getCatalogModel().getResolvedInputSchema().getColumns(),
                new VarCharType(VarCharType.MAX_LENGTH), "input");
        checkSingleColumn(context.getCatalogModel().getResolvedOutputSchema().getColumns(),
                embeddings ? new ArrayType(new FloatType()) : new VarCharType(VarCharType.MAX_LENGTH), "output");
        return new Runtime(new Settings(new HashMap<>(context.getCatalogModel().getOptions()), embeddings));
    }

    private static void checkSingleColumn(List<Column> columns, LogicalType expected, String side) {
        List<String> physical = new ArrayList<>();
        Column column = null;
        for (Column c : columns) if (c.isPhysical()) { physical.add(c.getName()); column = c; }
        if (physical.size() != 1)
            throw new IllegalArgumentException(String.format(
                    "Model should have exactly one %s physical column, but actually has %s physical columns: %s",
                    side, physical.size(), physical));
        LogicalType actual = column.getDataType().getLogicalType();
        if (!expected.equals(actual))
            throw new IllegalArgumentException(String.format(
                    "%s column %s should be %s, but is a %s.", side, column.getName(), expected, actual));
    }

    /** What one model call needs, serializable so it travels with the job. */
    public static final class Settings implements Serializable {
        final HashMap<String, String> options;
        final boolean embeddings;

        Settings(HashMap<String, String> options, boolean embeddings) { this.options = options; this.embeddings = embeddings; }

        String get(String key) { return options.get(key); }
        int retries() { return options.containsKey("retry-num") ? Integer.parseInt(options.get("retry-num")) : 100; }
        String strategy() { return options.getOrDefault("error-handling-strategy", "RETRY").toUpperCase(); }
        String fallback() { return options.getOrDefault("retry-fallback-strategy", "FAILOVER").toUpperCase(); }
    }

    public static final class Runtime implements PredictRuntimeProvider, AsyncPredictRuntimeProvider {
        final Settings settings;
        Runtime(Settings settings) { this.settings = settings; }
        @Override public ModelProvider copy() { return new Runtime(settings); }
        @Override public PredictFunction createPredictFunction(ModelProvider.Context context) { return new Blocking(settings); }
        @Override public AsyncPredictFunction createAsyncPredictFunction(ModelProvider.Context context) { return new Async(settings); }
    }

    public static final class Blocking extends PredictFunction {
        final Settings settings;
        public Blocking(Settings settings) { this.settings = settings; }
        @Override public Collection<RowData> predict(RowData row) { return Wire.predict(settings, row).join(); }
    }

    public static final class Async extends AsyncPredictFunction {
        final Settings settings;
        public Async(Settings settings) { this.settings = settings; }
        @Override public CompletableFuture<Collection<RowData>> asyncPredict(RowData row) { return Wire.predict(settings, row); }
    }

    /** The OpenAI wire format: request bodies, replies, retries of 408/429/5xx. */
    static final class Wire {
        static final ObjectMapper JSON = new ObjectMapper();
        private static HttpClient client;

        static synchronized HttpClient client() {
            if (client == null)
                client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
            return client;
        }

        static CompletableFuture<Collection<RowData>> predict(Settings s, RowData row) {
            if (row.isNullAt(0)) return CompletableFuture.completedFuture(Collections.emptyList());
            String input = row.getString(0).toString();
            HttpRequest request;
            try {
                request = HttpRequest.newBuilder(URI.create(s.get("endpoint")))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + s.get("api-key"))
                        .timeout(Duration.ofSeconds(120))
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body(s, input)))).build();
            } catch (Exception e) {
                return CompletableFuture.failedFuture(e);
            }
            int attempts = "RETRY".equals(s.strategy()) ? s.retries() + 1 : 1;
            return send(s, request, attempts, 0);
        }

        static CompletableFuture<Collection<RowData>> send(Settings s, HttpRequest request, int attempts, int done) {
            return client().sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((response, error) -> {
                int status = response == null ? -1 : response.statusCode();
                if (error == null && status == 200) {
                    try {
                        return CompletableFuture.completedFuture(parse(s, response.body()));
                    } catch (Exception bad) {
                        error = bad;
                    }
                }
                boolean retryable = error != null || status == 408 || status == 429 || status >= 500;
                if (retryable && done + 1 < attempts) {
                    long delay = Math.min(2000L, 100L << Math.min(done, 4));
                    return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(delay, java.util.concurrent.TimeUnit.MILLISECONDS))
                            .thenCompose(x -> send(s, request, attempts, done + 1));
                }
                String why = error != null ? String.valueOf(error.getMessage())
                        : "HTTP " + status + " from " + request.uri() + ": " + response.body();
                boolean ignore = "IGNORE".equals(s.strategy()) || ("RETRY".equals(s.strategy()) && "IGNORE".equals(s.fallback()));
                if (ignore) {  // as Flink's provider does without error metadata columns: the row is dropped
                    return CompletableFuture.completedFuture((Collection<RowData>) Collections.<RowData>emptyList());
                }
                return CompletableFuture.<Collection<RowData>>failedFuture(new RuntimeException("openai stand-in: " + why));
            }).thenCompose(future -> future);
        }

        static ObjectNode body(Settings s, String input) {
            ObjectNode body = JSON.createObjectNode();
            body.put("model", s.get("model"));
            if (s.embeddings) {
                body.put("input", input);
                if (s.get("dimension") != null) body.put("dimensions", Long.parseLong(s.get("dimension")));
                return body;
            }
            ArrayNode messages = body.putArray("messages");
            messages.addObject().put("role", "system").put("content", s.options.getOrDefault("system-prompt", "You are a helpful assistant."));
            messages.addObject().put("role", "user").put("content", input);
            if (s.get("temperature") != null) body.put("temperature", Double.parseDouble(s.get("temperature")));
            if (s.get("top-p") != null) body.put("top_p", Double.parseDouble(s.get("top-p")));
            if (s.get("presence-penalty") != null) body.put("presence_penalty", Double.parseDouble(s.get("presence-penalty")));
            if (s.get("max-tokens") != null) body.put("max_tokens", Long.parseLong(s.get("max-tokens")));
            if (s.get("n") != null) body.put("n", Long.parseLong(s.get("n")));
            if (s.get("seed") != null) body.put("seed", Long.parseLong(s.get("seed")));
            if (s.get("stop") != null) {
                ArrayNode stop = body.putArray("stop");
                for (String part : s.get("stop").split(",")) stop.add(part.trim());
            }
            if (s.get("response-format") != null) body.putObject("response_format").put("type", s.get("response-format"));
            return body;
        }

        static Collection<RowData> parse(Settings s, String reply) throws Exception {
            JsonNode root = JSON.readTree(reply);
            List<RowData> rows = new ArrayList<>();
            if (s.embeddings) {
                JsonNode vector = root.get("data").get(0).get("embedding");
                Float[] values = new Float[vector.size()];
                for (int i = 0; i < values.length; i++) values[i] = (float) vector.get(i).asDouble();
                rows.add(GenericRowData.of(new GenericArrayData(values)));
            } else {
                for (JsonNode choice : root.get("choices"))
                    rows.add(GenericRowData.of(StringData.fromString(choice.get("message").get("content").asText())));
            }
            if (rows.isEmpty()) throw new IllegalStateException("reply has no " + (s.embeddings ? "data" : "choices") + ": " + reply);
            return rows;
        }
    }
}

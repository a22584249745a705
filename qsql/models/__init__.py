"""Model providers: option validation, the OpenAI-compatible HTTP client and its runtime."""

"""Constants the agent tests share."""

from pairrepl.agent import RetryPolicy

API_KEY = "sk-test-THE-API-KEY-0123456789"
FAST_RETRIES = RetryPolicy(max_retries=2, base_delay_s=0.01, max_delay_s=2.0)
SDKS = ["anthropic", "openai"]

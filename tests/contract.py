"""The reply's JSON fields as the API promises them, written out once for the tests that check the contract."""

REPLY_FIELDS = frozenset(
    {"reply", "text", "actions", "kind", "confidence", "entry", "sources", "statement", "suggestions", "conversation"}
)

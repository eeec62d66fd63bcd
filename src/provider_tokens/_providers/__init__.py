"""One module per provider: its servers, credentials, and how to read its responses."""

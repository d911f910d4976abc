"""The JSON API (/api/v1/): personal access tokens, the same services and policy as the web UI."""

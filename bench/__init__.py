"""Benchmarks of provider-tokens against raw httpx, Authlib and httpx-auth (``make bench``)."""

"""Certificates: issued from completions (or a participation on request), verifiable by anyone with the code."""

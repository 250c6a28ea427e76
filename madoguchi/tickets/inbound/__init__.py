"""Inbound mail: requests and replies by email (issue 4, R38, F17).

receivers (lmtp, imap) -> storage.inbound_store (raw bytes kept first, deduplicated)
-> services.inbound_process (parse, loops, routing, quoting) -> a request, a reply, ignored, or
quarantine with the raw bytes and an admin notice.
"""

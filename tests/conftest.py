"""Settings shared by every test package."""

from __future__ import annotations

try:  # browser tests: a loaded CI machine draws a Streamlit page in seconds, not in Playwright's default 5 s
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - playwright is a test extra; without it no browser test runs
    pass
else:
    expect.set_options(timeout=30_000)

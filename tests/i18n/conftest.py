"""Fixtures for the language checks: catalogs in a scratch folder, a clean translator cache."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _fresh_translations() -> Iterator[None]:
    """Each test loads catalogs anew and leaves none behind from a scratch folder."""
    from app.i18n import reload_translations

    reload_translations()
    yield
    reload_translations()

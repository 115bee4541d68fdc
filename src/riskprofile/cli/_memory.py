"""How the command's process asks Polars' memory allocator to give memory back: see
:mod:`riskprofile._allocator` (shared with the readers, which set the same options when
they are the first to load Polars)."""

from __future__ import annotations

from riskprofile._allocator import ALLOCATOR_OPTIONS, configure_allocator

__all__ = ["ALLOCATOR_OPTIONS", "configure_allocator"]

"""Engines that evaluate compiled profiles on shipments (row-wise is the reference)."""

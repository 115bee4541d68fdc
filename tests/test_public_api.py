"""The public surface: what ``import riskprofile`` offers, and nothing private."""

from __future__ import annotations

import riskprofile

REQUIRED = {
    "Manifest",
    "Consignment",
    "Container",
    "GoodsItem",
    "Party",
    "Shipment",
    "read_batch",
}


def test_all_is_sorted_and_complete() -> None:
    assert riskprofile.__all__ == sorted(riskprofile.__all__)
    public = {
        name
        for name in vars(riskprofile)
        if not name.startswith("_")
        and name not in {"annotations", "version", "PackageNotFoundError"}
        and not isinstance(getattr(riskprofile, name), type(riskprofile))
    }
    assert public == set(riskprofile.__all__) - {"__version__"}


def test_required_names_are_importable() -> None:
    assert set(riskprofile.__all__) >= REQUIRED
    for name in riskprofile.__all__:
        assert getattr(riskprofile, name) is not None


def test_only_number_is_required_for_a_container() -> None:
    box = riskprofile.Container.model_validate({"number": "CSQU3054383"})
    assert box.number == "CSQU3054383"
    assert box.quality_flags == []

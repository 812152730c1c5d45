from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="DecisionCounts")


@_attrs_define
class DecisionCounts:
    """Number of decisions in each status; every status is present, zeros included.

    Attributes:
        proposed (int): Decisions still open.
        resolved (int): Decisions adopted.
        rejected (int): Decisions turned down.
    """

    proposed: int
    resolved: int
    rejected: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        proposed = self.proposed

        resolved = self.resolved

        rejected = self.rejected

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "proposed": proposed,
                "resolved": resolved,
                "rejected": rejected,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        proposed = d.pop("proposed")

        resolved = d.pop("resolved")

        rejected = d.pop("rejected")

        decision_counts = cls(
            proposed=proposed,
            resolved=resolved,
            rejected=rejected,
        )

        decision_counts.additional_properties = d
        return decision_counts

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="NewDecision")


@_attrs_define
class NewDecision:
    """
    Attributes:
        text (str): The proposal, 1–4000 characters.
        proposed_by (None | str | Unset): Defaults to the caller's actor id (at most 256 characters).
    """

    text: str
    proposed_by: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        text = self.text

        proposed_by: None | str | Unset
        if isinstance(self.proposed_by, Unset):
            proposed_by = UNSET
        else:
            proposed_by = self.proposed_by

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "text": text,
            }
        )
        if proposed_by is not UNSET:
            field_dict["proposed_by"] = proposed_by

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        text = d.pop("text")

        def _parse_proposed_by(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        proposed_by = _parse_proposed_by(d.pop("proposed_by", UNSET))

        new_decision = cls(
            text=text,
            proposed_by=proposed_by,
        )

        new_decision.additional_properties = d
        return new_decision

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

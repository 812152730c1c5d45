from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.space_patch_status_type_1 import SpacePatchStatusType1
from ..models.space_patch_status_type_2_type_1 import SpacePatchStatusType2Type1
from ..models.space_patch_status_type_3_type_1 import SpacePatchStatusType3Type1
from ..types import UNSET, Unset

T = TypeVar("T", bound="SpacePatch")


@_attrs_define
class SpacePatch:
    """Fields to change; absent or `null` fields are left as they are.

    Attributes:
        description (None | str | Unset): New description (at most 2000 characters).
        status (None | SpacePatchStatusType1 | SpacePatchStatusType2Type1 | SpacePatchStatusType3Type1 | Unset): Setting
            `archived` records `ended_at`; setting `active` or `paused` clears it.
        links (list[str] | None | Unset): Replaces the links (same rules as at creation).
    """

    description: None | str | Unset = UNSET
    status: None | SpacePatchStatusType1 | SpacePatchStatusType2Type1 | SpacePatchStatusType3Type1 | Unset = UNSET
    links: list[str] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        status: None | str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        elif isinstance(self.status, SpacePatchStatusType1):
            status = self.status.value
        elif isinstance(self.status, SpacePatchStatusType2Type1):
            status = self.status.value
        elif isinstance(self.status, SpacePatchStatusType3Type1):
            status = self.status.value
        else:
            status = self.status

        links: list[str] | None | Unset
        if isinstance(self.links, Unset):
            links = UNSET
        elif isinstance(self.links, list):
            links = self.links

        else:
            links = self.links

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if description is not UNSET:
            field_dict["description"] = description
        if status is not UNSET:
            field_dict["status"] = status
        if links is not UNSET:
            field_dict["links"] = links

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        def _parse_status(
            data: object,
        ) -> None | SpacePatchStatusType1 | SpacePatchStatusType2Type1 | SpacePatchStatusType3Type1 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_1 = SpacePatchStatusType1(data)

                return status_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_2_type_1 = SpacePatchStatusType2Type1(data)

                return status_type_2_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_3_type_1 = SpacePatchStatusType3Type1(data)

                return status_type_3_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(
                None | SpacePatchStatusType1 | SpacePatchStatusType2Type1 | SpacePatchStatusType3Type1 | Unset, data
            )

        status = _parse_status(d.pop("status", UNSET))

        def _parse_links(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                links_type_0 = cast(list[str], data)

                return links_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        links = _parse_links(d.pop("links", UNSET))

        space_patch = cls(
            description=description,
            status=status,
            links=links,
        )

        space_patch.additional_properties = d
        return space_patch

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

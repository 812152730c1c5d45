from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.space_created_status import SpaceCreatedStatus


T = TypeVar("T", bound="SpaceCreated")


@_attrs_define
class SpaceCreated:
    """
    Attributes:
        space_id (str): The new space.
        status (SpaceCreatedStatus): The new space's state.
    """

    space_id: str
    status: SpaceCreatedStatus
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        space_id = self.space_id

        status = self.status.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "space_id": space_id,
                "status": status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.space_created_status import SpaceCreatedStatus  # noqa: PLC0415

        d = dict(src_dict)
        space_id = d.pop("space_id")

        status = SpaceCreatedStatus.from_dict(d.pop("status"))

        space_created = cls(
            space_id=space_id,
            status=status,
        )

        space_created.additional_properties = d
        return space_created

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

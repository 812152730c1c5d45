from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="StreamToken")


@_attrs_define
class StreamToken:
    """A short-lived token for one space's event stream.

    Attributes:
        token (str): Pass as `?token=` to `GET /api/spaces/{space_id}/events/stream`; valid for no other
            request.
        space_id (str): The only space whose stream the token opens.
        expires_at (datetime.datetime): When the token stops working.
    """

    token: str
    space_id: str
    expires_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        token = self.token

        space_id = self.space_id

        expires_at = self.expires_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "token": token,
                "space_id": space_id,
                "expires_at": expires_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        token = d.pop("token")

        space_id = d.pop("space_id")

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        stream_token = cls(
            token=token,
            space_id=space_id,
            expires_at=expires_at,
        )

        stream_token.additional_properties = d
        return stream_token

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

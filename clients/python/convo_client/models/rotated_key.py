from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.rotated_key_actor_type import RotatedKeyActorType
from ..models.rotated_key_connection_state_type_1 import RotatedKeyConnectionStateType1
from ..models.rotated_key_connection_state_type_2_type_1 import RotatedKeyConnectionStateType2Type1
from ..models.rotated_key_connection_state_type_3_type_1 import RotatedKeyConnectionStateType3Type1
from ..types import UNSET, Unset

T = TypeVar("T", bound="RotatedKey")


@_attrs_define
class RotatedKey:
    """A freshly rotated key. `api_key` is shown only here, once.

    Attributes:
        actor_id (UUID): The actor whose key was rotated.
        actor_type (RotatedKeyActorType): `human` or `agent`.
        api_key (str): The new key (`convo_…`). Every earlier key of the actor no longer works.
        connection_state (None | RotatedKeyConnectionStateType1 | RotatedKeyConnectionStateType2Type1 |
            RotatedKeyConnectionStateType3Type1 | Unset): For agents: `connected` to the request's installation, or
            `available` when the
            request named none. `null` for humans.
        installation_id (None | str | Unset): The installation the agent is now connected to.
    """

    actor_id: UUID
    actor_type: RotatedKeyActorType
    api_key: str
    connection_state: (
        None
        | RotatedKeyConnectionStateType1
        | RotatedKeyConnectionStateType2Type1
        | RotatedKeyConnectionStateType3Type1
        | Unset
    ) = UNSET
    installation_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        actor_id = str(self.actor_id)

        actor_type = self.actor_type.value

        api_key = self.api_key

        connection_state: None | str | Unset
        if isinstance(self.connection_state, Unset):
            connection_state = UNSET
        elif isinstance(self.connection_state, RotatedKeyConnectionStateType1):
            connection_state = self.connection_state.value
        elif isinstance(self.connection_state, RotatedKeyConnectionStateType2Type1):
            connection_state = self.connection_state.value
        elif isinstance(self.connection_state, RotatedKeyConnectionStateType3Type1):
            connection_state = self.connection_state.value
        else:
            connection_state = self.connection_state

        installation_id: None | str | Unset
        if isinstance(self.installation_id, Unset):
            installation_id = UNSET
        else:
            installation_id = self.installation_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "actor_id": actor_id,
                "actor_type": actor_type,
                "api_key": api_key,
            }
        )
        if connection_state is not UNSET:
            field_dict["connection_state"] = connection_state
        if installation_id is not UNSET:
            field_dict["installation_id"] = installation_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        actor_id = UUID(d.pop("actor_id"))

        actor_type = RotatedKeyActorType(d.pop("actor_type"))

        api_key = d.pop("api_key")

        def _parse_connection_state(
            data: object,
        ) -> (
            None
            | RotatedKeyConnectionStateType1
            | RotatedKeyConnectionStateType2Type1
            | RotatedKeyConnectionStateType3Type1
            | Unset
        ):
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                connection_state_type_1 = RotatedKeyConnectionStateType1(data)

                return connection_state_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                connection_state_type_2_type_1 = RotatedKeyConnectionStateType2Type1(data)

                return connection_state_type_2_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                connection_state_type_3_type_1 = RotatedKeyConnectionStateType3Type1(data)

                return connection_state_type_3_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(
                None
                | RotatedKeyConnectionStateType1
                | RotatedKeyConnectionStateType2Type1
                | RotatedKeyConnectionStateType3Type1
                | Unset,
                data,
            )

        connection_state = _parse_connection_state(d.pop("connection_state", UNSET))

        def _parse_installation_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        installation_id = _parse_installation_id(d.pop("installation_id", UNSET))

        rotated_key = cls(
            actor_id=actor_id,
            actor_type=actor_type,
            api_key=api_key,
            connection_state=connection_state,
            installation_id=installation_id,
        )

        rotated_key.additional_properties = d
        return rotated_key

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

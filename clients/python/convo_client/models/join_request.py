from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="JoinRequest")


@_attrs_define
class JoinRequest:
    """Identity fields are ignored: the participant is the authenticated actor.

    Attributes:
        participant_id (None | str | Unset): Ignored (taken from the authenticated actor).
        name (None | str | Unset): Ignored (taken from the authenticated actor).
        participant_type (None | str | Unset): Ignored (taken from the authenticated actor).
        agent_adapter (None | str | Unset): How an agent is connected, e.g. `mcp` (at most 64 characters).
    """

    participant_id: None | str | Unset = UNSET
    name: None | str | Unset = UNSET
    participant_type: None | str | Unset = UNSET
    agent_adapter: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        participant_id: None | str | Unset
        if isinstance(self.participant_id, Unset):
            participant_id = UNSET
        else:
            participant_id = self.participant_id

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        participant_type: None | str | Unset
        if isinstance(self.participant_type, Unset):
            participant_type = UNSET
        else:
            participant_type = self.participant_type

        agent_adapter: None | str | Unset
        if isinstance(self.agent_adapter, Unset):
            agent_adapter = UNSET
        else:
            agent_adapter = self.agent_adapter

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if participant_id is not UNSET:
            field_dict["participant_id"] = participant_id
        if name is not UNSET:
            field_dict["name"] = name
        if participant_type is not UNSET:
            field_dict["participant_type"] = participant_type
        if agent_adapter is not UNSET:
            field_dict["agent_adapter"] = agent_adapter

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_participant_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        participant_id = _parse_participant_id(d.pop("participant_id", UNSET))

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_participant_type(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        participant_type = _parse_participant_type(d.pop("participant_type", UNSET))

        def _parse_agent_adapter(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        agent_adapter = _parse_agent_adapter(d.pop("agent_adapter", UNSET))

        join_request = cls(
            participant_id=participant_id,
            name=name,
            participant_type=participant_type,
            agent_adapter=agent_adapter,
        )

        join_request.additional_properties = d
        return join_request

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

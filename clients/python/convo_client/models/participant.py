from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Participant")


@_attrs_define
class Participant:
    """
    Attributes:
        participant_id (str): The participant's actor id.
        name (str): The participant's display name.
        participant_type (str): `human` or `agent`.
        joined_at (datetime.datetime): When the participant first joined.
        agent_adapter (None | str | Unset): How an agent is connected, e.g. `mcp`.
        actor_id (None | Unset | UUID): The participant's actor id, as a UUID; `null` for participants that are not
            actors.
    """

    participant_id: str
    name: str
    participant_type: str
    joined_at: datetime.datetime
    agent_adapter: None | str | Unset = UNSET
    actor_id: None | Unset | UUID = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        participant_id = self.participant_id

        name = self.name

        participant_type = self.participant_type

        joined_at = self.joined_at.isoformat()

        agent_adapter: None | str | Unset
        if isinstance(self.agent_adapter, Unset):
            agent_adapter = UNSET
        else:
            agent_adapter = self.agent_adapter

        actor_id: None | str | Unset
        if isinstance(self.actor_id, Unset):
            actor_id = UNSET
        elif isinstance(self.actor_id, UUID):
            actor_id = str(self.actor_id)
        else:
            actor_id = self.actor_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "participant_id": participant_id,
                "name": name,
                "participant_type": participant_type,
                "joined_at": joined_at,
            }
        )
        if agent_adapter is not UNSET:
            field_dict["agent_adapter"] = agent_adapter
        if actor_id is not UNSET:
            field_dict["actor_id"] = actor_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        participant_id = d.pop("participant_id")

        name = d.pop("name")

        participant_type = d.pop("participant_type")

        joined_at = datetime.datetime.fromisoformat(d.pop("joined_at"))

        def _parse_agent_adapter(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        agent_adapter = _parse_agent_adapter(d.pop("agent_adapter", UNSET))

        def _parse_actor_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                actor_id_type_0 = UUID(data)

                return actor_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        actor_id = _parse_actor_id(d.pop("actor_id", UNSET))

        participant = cls(
            participant_id=participant_id,
            name=name,
            participant_type=participant_type,
            joined_at=joined_at,
            agent_adapter=agent_adapter,
            actor_id=actor_id,
        )

        participant.additional_properties = d
        return participant

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

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Deleted")


@_attrs_define
class Deleted:
    """What a deletion removed.

    Attributes:
        ok (bool): Always `true`.
        actor_id (UUID): The deleted actor.
        deleted_agents (list[UUID]): The agents deleted with it (a deleted human's sponsored agents); empty for an
            agent.
    """

    ok: bool
    actor_id: UUID
    deleted_agents: list[UUID]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        ok = self.ok

        actor_id = str(self.actor_id)

        deleted_agents = []
        for deleted_agents_item_data in self.deleted_agents:
            deleted_agents_item = str(deleted_agents_item_data)
            deleted_agents.append(deleted_agents_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "ok": ok,
                "actor_id": actor_id,
                "deleted_agents": deleted_agents,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        ok = d.pop("ok")

        actor_id = UUID(d.pop("actor_id"))

        deleted_agents = []
        _deleted_agents = d.pop("deleted_agents")
        for deleted_agents_item_data in _deleted_agents:
            deleted_agents_item = UUID(deleted_agents_item_data)

            deleted_agents.append(deleted_agents_item)

        deleted = cls(
            ok=ok,
            actor_id=actor_id,
            deleted_agents=deleted_agents,
        )

        deleted.additional_properties = d
        return deleted

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

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.new_actor_actor_type_type_1 import NewActorActorTypeType1
from ..models.new_actor_actor_type_type_2_type_1 import NewActorActorTypeType2Type1
from ..models.new_actor_actor_type_type_3_type_1 import NewActorActorTypeType3Type1
from ..types import UNSET, Unset

T = TypeVar("T", bound="NewActor")


@_attrs_define
class NewActor:
    """
    Attributes:
        display_name (str): Display name, 1–200 characters.
        actor_type (NewActorActorTypeType1 | NewActorActorTypeType2Type1 | NewActorActorTypeType3Type1 | None | Unset):
            `human` (default) or `agent`.
        email (None | str | Unset): Required for human actors.
        agent_profile (None | str | Unset): Agent type identifier, e.g. `claude-code` (at most 100 characters).
        metadata (Any | Unset): Arbitrary JSON object, at most 16 KiB.
    """

    display_name: str
    actor_type: NewActorActorTypeType1 | NewActorActorTypeType2Type1 | NewActorActorTypeType3Type1 | None | Unset = (
        UNSET
    )
    email: None | str | Unset = UNSET
    agent_profile: None | str | Unset = UNSET
    metadata: Any | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        display_name = self.display_name

        actor_type: None | str | Unset
        if isinstance(self.actor_type, Unset):
            actor_type = UNSET
        elif isinstance(self.actor_type, NewActorActorTypeType1):
            actor_type = self.actor_type.value
        elif isinstance(self.actor_type, NewActorActorTypeType2Type1):
            actor_type = self.actor_type.value
        elif isinstance(self.actor_type, NewActorActorTypeType3Type1):
            actor_type = self.actor_type.value
        else:
            actor_type = self.actor_type

        email: None | str | Unset
        if isinstance(self.email, Unset):
            email = UNSET
        else:
            email = self.email

        agent_profile: None | str | Unset
        if isinstance(self.agent_profile, Unset):
            agent_profile = UNSET
        else:
            agent_profile = self.agent_profile

        metadata = self.metadata

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "display_name": display_name,
            }
        )
        if actor_type is not UNSET:
            field_dict["actor_type"] = actor_type
        if email is not UNSET:
            field_dict["email"] = email
        if agent_profile is not UNSET:
            field_dict["agent_profile"] = agent_profile
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        display_name = d.pop("display_name")

        def _parse_actor_type(
            data: object,
        ) -> NewActorActorTypeType1 | NewActorActorTypeType2Type1 | NewActorActorTypeType3Type1 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                actor_type_type_1 = NewActorActorTypeType1(data)

                return actor_type_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                actor_type_type_2_type_1 = NewActorActorTypeType2Type1(data)

                return actor_type_type_2_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                actor_type_type_3_type_1 = NewActorActorTypeType3Type1(data)

                return actor_type_type_3_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(
                NewActorActorTypeType1 | NewActorActorTypeType2Type1 | NewActorActorTypeType3Type1 | None | Unset, data
            )

        actor_type = _parse_actor_type(d.pop("actor_type", UNSET))

        def _parse_email(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        email = _parse_email(d.pop("email", UNSET))

        def _parse_agent_profile(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        agent_profile = _parse_agent_profile(d.pop("agent_profile", UNSET))

        metadata = d.pop("metadata", UNSET)

        new_actor = cls(
            display_name=display_name,
            actor_type=actor_type,
            email=email,
            agent_profile=agent_profile,
            metadata=metadata,
        )

        new_actor.additional_properties = d
        return new_actor

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

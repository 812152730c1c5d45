from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.actor_info_actor_type import ActorInfoActorType
from ..models.actor_info_connection_state_type_1 import ActorInfoConnectionStateType1
from ..models.actor_info_connection_state_type_2_type_1 import ActorInfoConnectionStateType2Type1
from ..models.actor_info_connection_state_type_3_type_1 import ActorInfoConnectionStateType3Type1
from ..types import UNSET, Unset

T = TypeVar("T", bound="ActorInfo")


@_attrs_define
class ActorInfo:
    """
    Attributes:
        actor_id (UUID): The actor's id.
        display_name (str): Display name, 1–200 characters.
        actor_type (ActorInfoActorType): `human` or `agent`.
        metadata (Any): Arbitrary JSON object (`{}` when none).
        created_at (datetime.datetime): When the actor was registered.
        email (None | str | Unset): A human's e-mail address; `null` for agents.
        agent_profile (None | str | Unset): An agent's type identifier, e.g. `claude-code`; `null` when not set.
        default_space_id (None | str | Unset): Set for humans after invite redemption; `null` otherwise.
        sponsor_id (None | Unset | UUID): The human who sponsors this agent; `null` for humans.
        tenant_id (None | Unset | UUID): The actor's tenant; `null` when it belongs to none.
        connection_state (ActorInfoConnectionStateType1 | ActorInfoConnectionStateType2Type1 |
            ActorInfoConnectionStateType3Type1 | None | Unset): For agents, whether an installation holds the agent; `null`
            for humans.
        installation_id (None | str | Unset): The installation a connected agent is connected to.
    """

    actor_id: UUID
    display_name: str
    actor_type: ActorInfoActorType
    metadata: Any
    created_at: datetime.datetime
    email: None | str | Unset = UNSET
    agent_profile: None | str | Unset = UNSET
    default_space_id: None | str | Unset = UNSET
    sponsor_id: None | Unset | UUID = UNSET
    tenant_id: None | Unset | UUID = UNSET
    connection_state: (
        ActorInfoConnectionStateType1
        | ActorInfoConnectionStateType2Type1
        | ActorInfoConnectionStateType3Type1
        | None
        | Unset
    ) = UNSET
    installation_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        actor_id = str(self.actor_id)

        display_name = self.display_name

        actor_type = self.actor_type.value

        metadata = self.metadata

        created_at = self.created_at.isoformat()

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

        default_space_id: None | str | Unset
        if isinstance(self.default_space_id, Unset):
            default_space_id = UNSET
        else:
            default_space_id = self.default_space_id

        sponsor_id: None | str | Unset
        if isinstance(self.sponsor_id, Unset):
            sponsor_id = UNSET
        elif isinstance(self.sponsor_id, UUID):
            sponsor_id = str(self.sponsor_id)
        else:
            sponsor_id = self.sponsor_id

        tenant_id: None | str | Unset
        if isinstance(self.tenant_id, Unset):
            tenant_id = UNSET
        elif isinstance(self.tenant_id, UUID):
            tenant_id = str(self.tenant_id)
        else:
            tenant_id = self.tenant_id

        connection_state: None | str | Unset
        if isinstance(self.connection_state, Unset):
            connection_state = UNSET
        elif isinstance(self.connection_state, ActorInfoConnectionStateType1):
            connection_state = self.connection_state.value
        elif isinstance(self.connection_state, ActorInfoConnectionStateType2Type1):
            connection_state = self.connection_state.value
        elif isinstance(self.connection_state, ActorInfoConnectionStateType3Type1):
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
                "display_name": display_name,
                "actor_type": actor_type,
                "metadata": metadata,
                "created_at": created_at,
            }
        )
        if email is not UNSET:
            field_dict["email"] = email
        if agent_profile is not UNSET:
            field_dict["agent_profile"] = agent_profile
        if default_space_id is not UNSET:
            field_dict["default_space_id"] = default_space_id
        if sponsor_id is not UNSET:
            field_dict["sponsor_id"] = sponsor_id
        if tenant_id is not UNSET:
            field_dict["tenant_id"] = tenant_id
        if connection_state is not UNSET:
            field_dict["connection_state"] = connection_state
        if installation_id is not UNSET:
            field_dict["installation_id"] = installation_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        actor_id = UUID(d.pop("actor_id"))

        display_name = d.pop("display_name")

        actor_type = ActorInfoActorType(d.pop("actor_type"))

        metadata = d.pop("metadata")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

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

        def _parse_default_space_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        default_space_id = _parse_default_space_id(d.pop("default_space_id", UNSET))

        def _parse_sponsor_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                sponsor_id_type_0 = UUID(data)

                return sponsor_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        sponsor_id = _parse_sponsor_id(d.pop("sponsor_id", UNSET))

        def _parse_tenant_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                tenant_id_type_0 = UUID(data)

                return tenant_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        tenant_id = _parse_tenant_id(d.pop("tenant_id", UNSET))

        def _parse_connection_state(
            data: object,
        ) -> (
            ActorInfoConnectionStateType1
            | ActorInfoConnectionStateType2Type1
            | ActorInfoConnectionStateType3Type1
            | None
            | Unset
        ):
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                connection_state_type_1 = ActorInfoConnectionStateType1(data)

                return connection_state_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                connection_state_type_2_type_1 = ActorInfoConnectionStateType2Type1(data)

                return connection_state_type_2_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                connection_state_type_3_type_1 = ActorInfoConnectionStateType3Type1(data)

                return connection_state_type_3_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(
                ActorInfoConnectionStateType1
                | ActorInfoConnectionStateType2Type1
                | ActorInfoConnectionStateType3Type1
                | None
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

        actor_info = cls(
            actor_id=actor_id,
            display_name=display_name,
            actor_type=actor_type,
            metadata=metadata,
            created_at=created_at,
            email=email,
            agent_profile=agent_profile,
            default_space_id=default_space_id,
            sponsor_id=sponsor_id,
            tenant_id=tenant_id,
            connection_state=connection_state,
            installation_id=installation_id,
        )

        actor_info.additional_properties = d
        return actor_info

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

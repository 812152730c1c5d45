from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.space_info_status import SpaceInfoStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.participant import Participant


T = TypeVar("T", bound="SpaceInfo")


@_attrs_define
class SpaceInfo:
    """Space metadata with its participants and event counters.

    Attributes:
        space_id (str): The space's id, unique within the tenant.
        status (SpaceInfoStatus): `active`, `paused` or `archived`; only active spaces accept events.
        links (list[str]): External http(s) URLs attached to the space.
        started_at (datetime.datetime): When the space was created.
        participants (list[Participant]): Everyone who joined the space.
        event_count (int): How many events the space holds.
        description (None | str | Unset): What the space is about; `null` when not set.
        ended_at (datetime.datetime | None | Unset): When the space was archived; `null` otherwise.
        last_event_at (datetime.datetime | None | Unset): When the latest event was written; `null` when there is none.
    """

    space_id: str
    status: SpaceInfoStatus
    links: list[str]
    started_at: datetime.datetime
    participants: list[Participant]
    event_count: int
    description: None | str | Unset = UNSET
    ended_at: datetime.datetime | None | Unset = UNSET
    last_event_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        space_id = self.space_id

        status = self.status.value

        links = self.links

        started_at = self.started_at.isoformat()

        participants = []
        for participants_item_data in self.participants:
            participants_item = participants_item_data.to_dict()
            participants.append(participants_item)

        event_count = self.event_count

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        ended_at: None | str | Unset
        if isinstance(self.ended_at, Unset):
            ended_at = UNSET
        elif isinstance(self.ended_at, datetime.datetime):
            ended_at = self.ended_at.isoformat()
        else:
            ended_at = self.ended_at

        last_event_at: None | str | Unset
        if isinstance(self.last_event_at, Unset):
            last_event_at = UNSET
        elif isinstance(self.last_event_at, datetime.datetime):
            last_event_at = self.last_event_at.isoformat()
        else:
            last_event_at = self.last_event_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "space_id": space_id,
                "status": status,
                "links": links,
                "started_at": started_at,
                "participants": participants,
                "event_count": event_count,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if ended_at is not UNSET:
            field_dict["ended_at"] = ended_at
        if last_event_at is not UNSET:
            field_dict["last_event_at"] = last_event_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.participant import Participant  # noqa: PLC0415

        d = dict(src_dict)
        space_id = d.pop("space_id")

        status = SpaceInfoStatus(d.pop("status"))

        links = cast(list[str], d.pop("links"))

        started_at = datetime.datetime.fromisoformat(d.pop("started_at"))

        participants = []
        _participants = d.pop("participants")
        for participants_item_data in _participants:
            participants_item = Participant.from_dict(participants_item_data)

            participants.append(participants_item)

        event_count = d.pop("event_count")

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        def _parse_ended_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                ended_at_type_0 = datetime.datetime.fromisoformat(data)

                return ended_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        ended_at = _parse_ended_at(d.pop("ended_at", UNSET))

        def _parse_last_event_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_event_at_type_0 = datetime.datetime.fromisoformat(data)

                return last_event_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        last_event_at = _parse_last_event_at(d.pop("last_event_at", UNSET))

        space_info = cls(
            space_id=space_id,
            status=status,
            links=links,
            started_at=started_at,
            participants=participants,
            event_count=event_count,
            description=description,
            ended_at=ended_at,
            last_event_at=last_event_at,
        )

        space_info.additional_properties = d
        return space_info

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

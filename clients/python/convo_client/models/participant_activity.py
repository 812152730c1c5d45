from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.event import Event


T = TypeVar("T", bound="ParticipantActivity")


@_attrs_define
class ParticipantActivity:
    """One participant's activity since `since`.

    Attributes:
        participant_id (str): The speaker's id (an actor id for participants who joined).
        name (str): The participant's display name.
        participant_type (str): `human`, `agent`, or the speaker type of their latest event.
        event_count (int): All of their events since `since`.
        events (list[Event]): Their latest `max_events` events, oldest first.
        last_event_at (datetime.datetime | None | Unset): Time of their latest event; `null` when they have none since
            `since`.
    """

    participant_id: str
    name: str
    participant_type: str
    event_count: int
    events: list[Event]
    last_event_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        participant_id = self.participant_id

        name = self.name

        participant_type = self.participant_type

        event_count = self.event_count

        events = []
        for events_item_data in self.events:
            events_item = events_item_data.to_dict()
            events.append(events_item)

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
                "participant_id": participant_id,
                "name": name,
                "participant_type": participant_type,
                "event_count": event_count,
                "events": events,
            }
        )
        if last_event_at is not UNSET:
            field_dict["last_event_at"] = last_event_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.event import Event  # noqa: PLC0415

        d = dict(src_dict)
        participant_id = d.pop("participant_id")

        name = d.pop("name")

        participant_type = d.pop("participant_type")

        event_count = d.pop("event_count")

        events = []
        _events = d.pop("events")
        for events_item_data in _events:
            events_item = Event.from_dict(events_item_data)

            events.append(events_item)

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

        participant_activity = cls(
            participant_id=participant_id,
            name=name,
            participant_type=participant_type,
            event_count=event_count,
            events=events,
            last_event_at=last_event_at,
        )

        participant_activity.additional_properties = d
        return participant_activity

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

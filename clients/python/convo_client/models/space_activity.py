from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.participant_activity import ParticipantActivity


T = TypeVar("T", bound="SpaceActivity")


@_attrs_define
class SpaceActivity:
    """What happened in a space since a point in time, per participant.

    Attributes:
        space_id (str): The space.
        since (datetime.datetime): Start of the digest: events at or after this time are counted.
        participants (list[ParticipantActivity]): Everyone who spoke since `since`, most recently active first; then the
            joined
            participants who did not, in joining order (`event_count` 0, no events).
    """

    space_id: str
    since: datetime.datetime
    participants: list[ParticipantActivity]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        space_id = self.space_id

        since = self.since.isoformat()

        participants = []
        for participants_item_data in self.participants:
            participants_item = participants_item_data.to_dict()
            participants.append(participants_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "space_id": space_id,
                "since": since,
                "participants": participants,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.participant_activity import ParticipantActivity  # noqa: PLC0415

        d = dict(src_dict)
        space_id = d.pop("space_id")

        since = datetime.datetime.fromisoformat(d.pop("since"))

        participants = []
        _participants = d.pop("participants")
        for participants_item_data in _participants:
            participants_item = ParticipantActivity.from_dict(participants_item_data)

            participants.append(participants_item)

        space_activity = cls(
            space_id=space_id,
            since=since,
            participants=participants,
        )

        space_activity.additional_properties = d
        return space_activity

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

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Event")


@_attrs_define
class Event:
    """Something said or done in a space.

    Attributes:
        event_id (UUID): The event's id (a UUIDv7).
        space_id (str): The space the event belongs to.
        speaker_id (str): Who said it: an actor id, or the id a client gave on `POST …/events`.
        speaker_name (str): The speaker's display name when the event was written.
        speaker_type (str): `human`, `agent`, `transcript`, `system`, or a custom type.
        text (str): What was said, kept as sent (line breaks and indentation included).
        timestamp (datetime.datetime): When the event was stored.
        references (list[str]): Artifact URIs.
        metadata (Any): Arbitrary metadata; `mentions` (participant ids) and `message_type` are conventional.
        sequence (int): The event's position in its space (1, 2, 3, …): events are totally ordered by it.
        parent_event_id (None | Unset | UUID): The event this one answers; `null` otherwise.
        thread_id (None | Unset | UUID): The thread the event belongs to; `null` for the main conversation.
    """

    event_id: UUID
    space_id: str
    speaker_id: str
    speaker_name: str
    speaker_type: str
    text: str
    timestamp: datetime.datetime
    references: list[str]
    metadata: Any
    sequence: int
    parent_event_id: None | Unset | UUID = UNSET
    thread_id: None | Unset | UUID = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        event_id = str(self.event_id)

        space_id = self.space_id

        speaker_id = self.speaker_id

        speaker_name = self.speaker_name

        speaker_type = self.speaker_type

        text = self.text

        timestamp = self.timestamp.isoformat()

        references = self.references

        metadata = self.metadata

        sequence = self.sequence

        parent_event_id: None | str | Unset
        if isinstance(self.parent_event_id, Unset):
            parent_event_id = UNSET
        elif isinstance(self.parent_event_id, UUID):
            parent_event_id = str(self.parent_event_id)
        else:
            parent_event_id = self.parent_event_id

        thread_id: None | str | Unset
        if isinstance(self.thread_id, Unset):
            thread_id = UNSET
        elif isinstance(self.thread_id, UUID):
            thread_id = str(self.thread_id)
        else:
            thread_id = self.thread_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "event_id": event_id,
                "space_id": space_id,
                "speaker_id": speaker_id,
                "speaker_name": speaker_name,
                "speaker_type": speaker_type,
                "text": text,
                "timestamp": timestamp,
                "references": references,
                "metadata": metadata,
                "sequence": sequence,
            }
        )
        if parent_event_id is not UNSET:
            field_dict["parent_event_id"] = parent_event_id
        if thread_id is not UNSET:
            field_dict["thread_id"] = thread_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        event_id = UUID(d.pop("event_id"))

        space_id = d.pop("space_id")

        speaker_id = d.pop("speaker_id")

        speaker_name = d.pop("speaker_name")

        speaker_type = d.pop("speaker_type")

        text = d.pop("text")

        timestamp = datetime.datetime.fromisoformat(d.pop("timestamp"))

        references = cast(list[str], d.pop("references"))

        metadata = d.pop("metadata")

        sequence = d.pop("sequence")

        def _parse_parent_event_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                parent_event_id_type_0 = UUID(data)

                return parent_event_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        parent_event_id = _parse_parent_event_id(d.pop("parent_event_id", UNSET))

        def _parse_thread_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                thread_id_type_0 = UUID(data)

                return thread_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        thread_id = _parse_thread_id(d.pop("thread_id", UNSET))

        event = cls(
            event_id=event_id,
            space_id=space_id,
            speaker_id=speaker_id,
            speaker_name=speaker_name,
            speaker_type=speaker_type,
            text=text,
            timestamp=timestamp,
            references=references,
            metadata=metadata,
            sequence=sequence,
            parent_event_id=parent_event_id,
            thread_id=thread_id,
        )

        event.additional_properties = d
        return event

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

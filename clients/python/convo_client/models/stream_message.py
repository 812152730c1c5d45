from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.stream_message_event import StreamMessageEvent

T = TypeVar("T", bound="StreamMessage")


@_attrs_define
class StreamMessage:
    """One Server-Sent Events message. Keep-alive comments (lines starting with `:`) are sent between messages while the
    space is idle.

        Attributes:
            id (str): The event's `event_id`; send it back as `Last-Event-ID` to resume.
            event (StreamMessageEvent): Always `context_event`.
            data (str): The event as one line of JSON: an `Event` object.
    """

    id: str
    event: StreamMessageEvent
    data: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        event = self.event.value

        data = self.data

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "event": event,
                "data": data,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        event = StreamMessageEvent(d.pop("event"))

        data = d.pop("data")

        stream_message = cls(
            id=id,
            event=event,
            data=data,
        )

        stream_message.additional_properties = d
        return stream_message

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

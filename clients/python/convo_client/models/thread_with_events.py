from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.event import Event
    from ..models.thread_with_events_thread import ThreadWithEventsThread


T = TypeVar("T", bound="ThreadWithEvents")


@_attrs_define
class ThreadWithEvents:
    """
    Attributes:
        thread (ThreadWithEventsThread): The thread.
        events (list[Event]): The parent event first, then the events posted into the thread, in sequence order.
    """

    thread: ThreadWithEventsThread
    events: list[Event]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        thread = self.thread.to_dict()

        events = []
        for events_item_data in self.events:
            events_item = events_item_data.to_dict()
            events.append(events_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "thread": thread,
                "events": events,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.event import Event  # noqa: PLC0415
        from ..models.thread_with_events_thread import ThreadWithEventsThread  # noqa: PLC0415

        d = dict(src_dict)
        thread = ThreadWithEventsThread.from_dict(d.pop("thread"))

        events = []
        _events = d.pop("events")
        for events_item_data in _events:
            events_item = Event.from_dict(events_item_data)

            events.append(events_item)

        thread_with_events = cls(
            thread=thread,
            events=events,
        )

        thread_with_events.additional_properties = d
        return thread_with_events

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

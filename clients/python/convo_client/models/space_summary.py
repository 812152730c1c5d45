from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SpaceSummary")


@_attrs_define
class SpaceSummary:
    """A summary of a space's events in a time window.

    Attributes:
        summary_id (UUID): The summary's id.
        space_id (str): The summarised space.
        window_start (datetime.datetime): Start of the summarised window.
        window_end (datetime.datetime): End of the summarised window.
        summary_text (str): Markdown, starting with `# Space Summary`.
        event_count (int): Events in the window.
        model (str): The model that wrote it; `extractive` for the built-in summarizer.
        created_at (datetime.datetime): When the summary was written.
    """

    summary_id: UUID
    space_id: str
    window_start: datetime.datetime
    window_end: datetime.datetime
    summary_text: str
    event_count: int
    model: str
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        summary_id = str(self.summary_id)

        space_id = self.space_id

        window_start = self.window_start.isoformat()

        window_end = self.window_end.isoformat()

        summary_text = self.summary_text

        event_count = self.event_count

        model = self.model

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "summary_id": summary_id,
                "space_id": space_id,
                "window_start": window_start,
                "window_end": window_end,
                "summary_text": summary_text,
                "event_count": event_count,
                "model": model,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        summary_id = UUID(d.pop("summary_id"))

        space_id = d.pop("space_id")

        window_start = datetime.datetime.fromisoformat(d.pop("window_start"))

        window_end = datetime.datetime.fromisoformat(d.pop("window_end"))

        summary_text = d.pop("summary_text")

        event_count = d.pop("event_count")

        model = d.pop("model")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        space_summary = cls(
            summary_id=summary_id,
            space_id=space_id,
            window_start=window_start,
            window_end=window_end,
            summary_text=summary_text,
            event_count=event_count,
            model=model,
            created_at=created_at,
        )

        space_summary.additional_properties = d
        return space_summary

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

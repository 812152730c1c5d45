from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="NewEventRequest")


@_attrs_define
class NewEventRequest:
    """An event from any source.

    Attributes:
        speaker_id (str): Source identifier, 1–128 characters.
        speaker_name (str): Display name, 1–200 characters.
        text (str): 1–32768 characters, not blank; kept as sent.
        speaker_type (None | str | Unset): `human` (the default), `agent`, `transcript`, `system`, or a custom type
            matching
            `^[a-z][a-z0-9_-]{0,31}$`.
        parent_event_id (None | str | Unset): The event of this space this one answers (404 if unknown).
        references (list[str] | None | Unset): Artifact URIs: at most 50, each absolute (with a scheme) and at most 2048
            characters.
            Schemes that run script when a link is followed (`javascript:`, `vbscript:`, `data:`,
            in any case, as browsers read them) are refused.
        thread_id (None | str | Unset): A thread of this space to post into (404 if unknown).
        metadata (Any | Unset): A JSON object of at most 16 KiB. `mentions`, if present, is an array of at most 50
            participant ids (strings of at most 128 characters).
    """

    speaker_id: str
    speaker_name: str
    text: str
    speaker_type: None | str | Unset = UNSET
    parent_event_id: None | str | Unset = UNSET
    references: list[str] | None | Unset = UNSET
    thread_id: None | str | Unset = UNSET
    metadata: Any | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        speaker_id = self.speaker_id

        speaker_name = self.speaker_name

        text = self.text

        speaker_type: None | str | Unset
        if isinstance(self.speaker_type, Unset):
            speaker_type = UNSET
        else:
            speaker_type = self.speaker_type

        parent_event_id: None | str | Unset
        if isinstance(self.parent_event_id, Unset):
            parent_event_id = UNSET
        else:
            parent_event_id = self.parent_event_id

        references: list[str] | None | Unset
        if isinstance(self.references, Unset):
            references = UNSET
        elif isinstance(self.references, list):
            references = self.references

        else:
            references = self.references

        thread_id: None | str | Unset
        if isinstance(self.thread_id, Unset):
            thread_id = UNSET
        else:
            thread_id = self.thread_id

        metadata = self.metadata

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "speaker_id": speaker_id,
                "speaker_name": speaker_name,
                "text": text,
            }
        )
        if speaker_type is not UNSET:
            field_dict["speaker_type"] = speaker_type
        if parent_event_id is not UNSET:
            field_dict["parent_event_id"] = parent_event_id
        if references is not UNSET:
            field_dict["references"] = references
        if thread_id is not UNSET:
            field_dict["thread_id"] = thread_id
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        speaker_id = d.pop("speaker_id")

        speaker_name = d.pop("speaker_name")

        text = d.pop("text")

        def _parse_speaker_type(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        speaker_type = _parse_speaker_type(d.pop("speaker_type", UNSET))

        def _parse_parent_event_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        parent_event_id = _parse_parent_event_id(d.pop("parent_event_id", UNSET))

        def _parse_references(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                references_type_0 = cast(list[str], data)

                return references_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        references = _parse_references(d.pop("references", UNSET))

        def _parse_thread_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        thread_id = _parse_thread_id(d.pop("thread_id", UNSET))

        metadata = d.pop("metadata", UNSET)

        new_event_request = cls(
            speaker_id=speaker_id,
            speaker_name=speaker_name,
            text=text,
            speaker_type=speaker_type,
            parent_event_id=parent_event_id,
            references=references,
            thread_id=thread_id,
            metadata=metadata,
        )

        new_event_request.additional_properties = d
        return new_event_request

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

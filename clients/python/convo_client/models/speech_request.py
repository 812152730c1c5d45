from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="SpeechRequest")


@_attrs_define
class SpeechRequest:
    """A human speaking.

    Attributes:
        text (str): 1–32768 characters, not blank; kept as sent.
        speaker_id (None | str | Unset): Who spoke, at most 128 characters; defaults to the caller's actor id.
        speaker_name (None | str | Unset): At most 200 characters; defaults to the caller's display name.
        thread_id (None | str | Unset): A thread of this space to post into (404 if unknown).
        metadata (Any | Unset): A JSON object of at most 16 KiB. `mentions`, if present, is an array of at most 50
            participant ids (strings of at most 128 characters).
    """

    text: str
    speaker_id: None | str | Unset = UNSET
    speaker_name: None | str | Unset = UNSET
    thread_id: None | str | Unset = UNSET
    metadata: Any | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        text = self.text

        speaker_id: None | str | Unset
        if isinstance(self.speaker_id, Unset):
            speaker_id = UNSET
        else:
            speaker_id = self.speaker_id

        speaker_name: None | str | Unset
        if isinstance(self.speaker_name, Unset):
            speaker_name = UNSET
        else:
            speaker_name = self.speaker_name

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
                "text": text,
            }
        )
        if speaker_id is not UNSET:
            field_dict["speaker_id"] = speaker_id
        if speaker_name is not UNSET:
            field_dict["speaker_name"] = speaker_name
        if thread_id is not UNSET:
            field_dict["thread_id"] = thread_id
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        text = d.pop("text")

        def _parse_speaker_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        speaker_id = _parse_speaker_id(d.pop("speaker_id", UNSET))

        def _parse_speaker_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        speaker_name = _parse_speaker_name(d.pop("speaker_name", UNSET))

        def _parse_thread_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        thread_id = _parse_thread_id(d.pop("thread_id", UNSET))

        metadata = d.pop("metadata", UNSET)

        speech_request = cls(
            text=text,
            speaker_id=speaker_id,
            speaker_name=speaker_name,
            thread_id=thread_id,
            metadata=metadata,
        )

        speech_request.additional_properties = d
        return speech_request

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

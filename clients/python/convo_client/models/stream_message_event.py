from enum import StrEnum


class StreamMessageEvent(StrEnum):
    CONTEXT_EVENT = "context_event"

    def __str__(self) -> str:
        return str(self.value)

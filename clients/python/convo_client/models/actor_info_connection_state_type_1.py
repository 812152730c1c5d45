from enum import StrEnum


class ActorInfoConnectionStateType1(StrEnum):
    AVAILABLE = "available"
    CONNECTED = "connected"

    def __str__(self) -> str:
        return str(self.value)

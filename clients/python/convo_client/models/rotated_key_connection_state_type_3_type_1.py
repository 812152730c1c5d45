from enum import StrEnum


class RotatedKeyConnectionStateType3Type1(StrEnum):
    AVAILABLE = "available"
    CONNECTED = "connected"

    def __str__(self) -> str:
        return str(self.value)

from enum import StrEnum


class ConnectionState(StrEnum):
    AVAILABLE = "available"
    CONNECTED = "connected"

    def __str__(self) -> str:
        return str(self.value)

from enum import StrEnum


class ReleaseStatus(StrEnum):
    ALREADY_RELEASED = "already_released"
    RELEASED = "released"

    def __str__(self) -> str:
        return str(self.value)

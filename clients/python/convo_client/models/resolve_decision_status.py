from enum import StrEnum


class ResolveDecisionStatus(StrEnum):
    PROPOSED = "proposed"
    REJECTED = "rejected"
    RESOLVED = "resolved"

    def __str__(self) -> str:
        return str(self.value)

from enum import StrEnum


class NewActorActorTypeType1(StrEnum):
    AGENT = "agent"
    HUMAN = "human"

    def __str__(self) -> str:
        return str(self.value)

from enum import StrEnum


class TokenRequestScope(StrEnum):
    OPENAPI = "openapi"

    def __str__(self) -> str:
        return str(self.value)

from datetime import date


class IsoDateConverter:
    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> date:
        return date.fromisoformat(value)  # a bad date raises ValueError -> 404

    def to_url(self, value: date) -> str:
        return value.isoformat()

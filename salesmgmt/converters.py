from datetime import date

from salesmgmt.web import parse_day


class IsoDateConverter:
    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> date:
        day = parse_day(value)
        if day is None:
            raise ValueError(value)  # the URL does not match: 404
        return day

    def to_url(self, value: date) -> str:
        return value.isoformat()

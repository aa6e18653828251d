"""Reading numbers people type: only the ASCII digits 0-9.

``str.isdigit()`` also accepts "²" or "٣", which ``int()`` then refuses (a 500 where a 400 belongs).
"""


def is_number(text: str) -> bool:
    """A whole number written with 0-9 only ("12" yes; "²", "-1", "1.5", "" no)."""
    return bool(text) and text.isascii() and text.isdigit()

"""What a traveller has done and said: :class:`UserHistory` and its :class:`HistoryItem`.

A history is plain data with a JSON round-trip
(``UserHistory.model_validate_json(h.model_dump_json()) == h``). Each item is either a
catalog id or a free-text description of a place outside the catalog, with an optional
rating (1-5), whether it was chosen or skipped when it was offered, and a date.
"""

from __future__ import annotations

from datetime import date as Date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from ..catalog import check_text
from ..limits import MAX_DESCRIPTION, MAX_TEXT

ItemKind = Literal["hotel", "attraction", "restaurant", "flight", "ground"]


class _Model(BaseModel):
    """Unknown fields, infinities and NaN are refused, and so is text that is too long or
    not valid Unicode (a history's text is encoded and printed)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    @field_validator("*", mode="after")
    @classmethod
    def _text(cls, v: object, info: ValidationInfo) -> object:
        check_text(v, MAX_DESCRIPTION if info.field_name == "description" else MAX_TEXT)
        return v


class HistoryItem(_Model):
    """One past option: a catalog ``id`` or a free-text ``description`` (at least one).

    ``rating`` is the traveller's own rating (1-5); ``chosen`` is ``True`` when the
    option was picked, ``False`` when it was offered and skipped, ``None`` when unknown.
    ``date`` is when it happened (``None``: undated, counted as recent).
    """

    id: str | None = Field(default=None, min_length=1)
    description: str | None = Field(default=None, min_length=1)
    kind: ItemKind
    rating: float | None = Field(default=None, ge=1, le=5)
    chosen: bool | None = None
    date: Date | None = None

    @model_validator(mode="after")
    def _id_or_description(self) -> "HistoryItem":
        if self.id is None and self.description is None:
            raise ValueError("needs an id (of a catalog item) or a description")
        return self


class UserHistory(_Model):
    """A traveller: stated ``likes`` and ``dislikes`` (free text) and past ``items``."""

    name: str = Field(min_length=1)
    likes: list[str] = Field(default_factory=list)
    dislikes: list[str] = Field(default_factory=list)
    items: list[HistoryItem] = Field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        """Whether there is nothing to learn from (no likes, dislikes or items)."""
        return not (self.likes or self.dislikes or self.items)

    @classmethod
    def load(cls, path: str | Path) -> "UserHistory":
        """Read a history from a JSON file.

        Raises ``ValueError`` naming the file and the offending field on invalid content.
        """
        from ..files import InputError, load_model
        path = Path(path)
        try:
            return load_model(path, cls)
        except InputError as exc:  # a subclass of ValueError
            detail = str(exc)[len(str(path)):].lstrip(": ") if str(exc).startswith(str(path)) else str(exc)
            raise InputError(f"{path}: invalid user history: {detail}") from None

    def to_json(self) -> str:
        """Indented JSON, without the fields that are unset (``None``)."""
        return self.model_dump_json(indent=2, exclude_none=True) + "\n"

    def save(self, path: str | Path) -> None:
        """Write :meth:`to_json` to a file."""
        Path(path).write_text(self.to_json())


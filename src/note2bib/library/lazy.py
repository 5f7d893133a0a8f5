"""`LazyEntries`: library entries as a sequence whose items are got only when asked for."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import overload

from note2bib.model import LibraryEntry


class LazyEntries(Sequence[LibraryEntry]):
    """A sequence of entries, each got from `_entry(n)` when asked for; indexing and slicing
    behave as a list's."""

    @abstractmethod
    def _entry(self, n: int) -> LibraryEntry:
        """Entry `n`, with 0 <= n < len(self)."""

    @overload
    def __getitem__(self, index: int) -> LibraryEntry: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[LibraryEntry]: ...

    def __getitem__(self, index: int | slice) -> LibraryEntry | Sequence[LibraryEntry]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return self._entry(range(len(self))[index])  # IndexError, negative indices, as a list

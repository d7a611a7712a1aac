"""Learn what a traveller likes from their history and score catalog items for them.

>>> from neurosym.preferences import PreferenceModel, UserHistory
>>> model = PreferenceModel().fit(UserHistory.load("me.json"), catalog)   # doctest: +SKIP
>>> model.score(catalog.restaurants)                                      # doctest: +SKIP

Importing this package is cheap: torch and sentence-transformers are imported only when
a text must actually be encoded (see :mod:`neurosym.preferences.encoder`).
"""

from .cache import EmbeddingCache
from .encoder import default_encoder_path
from .history import HistoryItem, UserHistory
from .model import Contribution, PreferenceModel, item_text, needed_texts

__all__ = ["Contribution", "EmbeddingCache", "HistoryItem", "PreferenceModel", "UserHistory",
           "default_encoder_path", "item_text", "needed_texts"]

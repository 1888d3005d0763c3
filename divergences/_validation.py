"""Input validation shared by every package of the toolkit.

One place for the conventions of ``docs/theory.md`` s.0: a probability vector is a finite,
non-negative 1-D array that sums to one within a tolerance; zero-mass atoms are legal.
Errors are ``ValueError``/``TypeError`` naming the parameter and showing the offending value.
Never ``assert`` on user input (``python -O`` strips asserts).

Inputs accepted as vectors
--------------------------
* numpy arrays and sequences of numbers (float64 arithmetic throughout);
* arrays of lower precision (float32, float16) and **torch tensors** (CPU or CUDA, with or
  without grad), read by duck typing through ``.detach().cpu().numpy()`` so that the core never
  imports torch;
* **pandas Series** (duck typing: a non-callable ``index`` and ``to_numpy``; pandas is never
  imported). Two Series passed as a pair are aligned *on their labels* (union of the labels,
  missing labels get mass 0), never matched by position; a Series with labels other than
  ``0..k-1`` paired with an unlabelled array is refused.

Tolerance on the total mass
---------------------------
A vector is accepted *as given* (never renormalised) when ``|sum(p) - 1| <= tol`` with

    ``tol = max(SUM_ATOL, 8 * sqrt(k) * eps(dtype))``

where ``eps(dtype)`` is the machine epsilon of the input's floating dtype and ``k`` the number of
atoms; integer, bool and float64 input get ``tol = SUM_ATOL``. ``sqrt(k) eps`` is the size of the
accumulated rounding of a normalisation (e.g. a softmax) computed in that precision; the factor
8 is a margin over the worst sum measured for float32 softmaxes of ``k = 2 .. 10^6`` atoms
(``0.65 sqrt(k) eps`` at ``k = 10^6``). A float32 softmax of 10 atoms is accepted
(``tol = 3e-6``); a float32 vector summing to ``1.001`` is not (``tol < 1e-3`` up to
``k = 10^6``). Counts or unnormalised weights are never accepted silently: pass
them through :func:`normalize`, which says what it does.
"""

from __future__ import annotations

import math
import numbers
import operator
import weakref

import numpy as np

__all__ = [
    "SUM_ATOL",
    "as_probability_vector",
    "as_pair",
    "check_integer",
    "check_probability",
    "check_real",
    "check_real_array",
    "normalize",
    "sum_tolerance",
]

#: Absolute tolerance on ``sum(p) == 1`` for float64 input. Vectors within it are accepted
#: *as given* (not renormalised); anything further off raises. 1e-9 admits float round-off from
#: normalising vectors of up to ~1e6 atoms while catching genuine mistakes. Lower-precision
#: input gets the wider tolerance of :func:`sum_tolerance`.
SUM_ATOL = 1e-9


def sum_tolerance(dtype, k: int) -> float:
    """Tolerance on ``|sum(p) - 1|`` for ``k`` masses stored in ``dtype`` (see the module docstring).

    ``max(SUM_ATOL, 8 * sqrt(k) * eps)`` with ``eps`` the machine epsilon of ``dtype`` when
    it is a floating type of lower precision than float64, ``SUM_ATOL`` otherwise.
    """
    dt = np.dtype(dtype)
    if not np.issubdtype(dt, np.floating) or np.finfo(dt).eps <= np.finfo(np.float64).eps:
        return SUM_ATOL
    eps = float(np.finfo(dt).eps)
    return max(SUM_ATOL, 8.0 * math.sqrt(max(int(k), 1)) * eps)


# The read-only arrays this module returned, by id (weak references: entries leave with the
# array). Passing one back (a function handing its validated input to another) skips the
# checks: a float32 vector keeps the tolerance it was accepted with instead of meeting the
# float64 one at the second call.
_VALIDATED: dict[int, weakref.ref] = {}


def _remember(arr: np.ndarray) -> np.ndarray:
    key = id(arr)
    _VALIDATED[key] = weakref.ref(arr, lambda _ref, key=key: _VALIDATED.pop(key, None))
    return arr


def _was_validated(x) -> bool:
    ref = _VALIDATED.get(id(x))
    return ref is not None and ref() is x and not x.flags.writeable


def _is_tensor(x) -> bool:
    """A torch tensor (or anything with the same ``detach``/``cpu``/``numpy`` protocol)."""
    return not isinstance(x, np.ndarray) and all(callable(getattr(x, a, None)) for a in ("detach", "cpu", "numpy"))


def _is_labelled(x) -> bool:
    """A pandas Series (or look-alike): a non-callable ``index`` and a ``to_numpy`` method."""
    if isinstance(x, (np.ndarray, list, tuple, str, bytes)):
        return False
    idx = getattr(x, "index", None)
    return idx is not None and not callable(idx) and callable(getattr(x, "to_numpy", None))


def _plain(x, name: str):
    """``x`` with tensors and Series turned into numpy arrays (no copy of the numbers' precision)."""
    if _is_tensor(x):
        try:
            return x.detach().cpu().numpy()
        except TypeError as exc:  # e.g. bfloat16, which numpy cannot hold
            raise TypeError(
                f"{name} must be a tensor numpy can read; got dtype {getattr(x, 'dtype', '?')} "
                f"(convert it with {name}.float() first)"
            ) from exc
    if _is_labelled(x):
        return x.to_numpy()
    return x


def _labels(x, name: str) -> list:
    labels = list(x.index)
    try:
        distinct = len(set(labels))
    except TypeError as exc:
        raise TypeError(f"{name} must have hashable labels to be aligned; got index {labels[:5]!r}") from exc
    if distinct != len(labels):
        raise ValueError(f"{name} has repeated labels, so it cannot be aligned by label; got index {labels[:8]!r}")
    return labels


def _is_default_range(x) -> bool:
    return list(x.index) == list(range(len(x.index)))


def _align(p, q, names: tuple[str, str]):
    """Two vectors as numpy arrays, aligned on their labels when both are labelled (union, 0 fill)."""
    lp, lq = _is_labelled(p), _is_labelled(q)
    if lp and lq:
        ip, iq = _labels(p, names[0]), _labels(q, names[1])
        vp, vq = p.to_numpy(), q.to_numpy()
        if ip == iq:
            return vp, vq
        pos_p = {lab: i for i, lab in enumerate(ip)}
        union = ip + [lab for lab in iq if lab not in pos_p]
        where = {lab: i for i, lab in enumerate(union)}
        out = []
        for vals, labs in ((vp, ip), (vq, iq)):
            arr = np.asarray(vals)
            if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
                return vp, vq  # not numeric: let as_probability_vector say so
            full = np.zeros(len(union), dtype=arr.dtype)
            full[[where[lab] for lab in labs]] = arr
            out.append(full)
        return out[0], out[1]
    for is_lab, x, name, other in ((lp, p, names[0], names[1]), (lq, q, names[1], names[0])):
        if is_lab and not _is_default_range(x):
            raise ValueError(
                f"{name} is labelled (index {list(x.index)[:5]!r}...) but {other} is not, so the atoms "
                f"cannot be matched by label; pass both as Series or both as arrays ({name}.to_numpy())"
            )
    return _plain(p, names[0]), _plain(q, names[1])


def _short(x, limit: int = 80) -> str:
    s = np.array2string(np.asarray(x), threshold=8, precision=6) if not isinstance(x, str) else repr(x)
    return s if len(s) <= limit else s[: limit - 3] + "..."


def _check_finite_nonnegative(arr: np.ndarray, name: str) -> None:
    """Refuse, naming ``name``, an array with a non-finite or a negative entry."""
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite; got {name}={_short(arr)}")
    if np.any(arr < 0):
        i = int(np.argmin(arr))
        raise ValueError(f"{name} must be non-negative; got {name}[{i}]={float(arr[i])!r}")


def as_probability_vector(x, name: str = "p", *, atol: float | None = None) -> np.ndarray:
    """Validate ``x`` as a probability vector and return it as a float64 array of shape (k,).

    Parameters
    ----------
    x : array_like, shape (k,)
        Finite, non-negative masses summing to one within ``atol``. Zeros are allowed. Numpy
        arrays of any float precision, torch tensors and pandas Series are read as described
        in the module docstring.
    name : str
        Parameter name used in error messages.
    atol : float, optional
        Tolerance on the total mass; default :func:`sum_tolerance` of the input's dtype
        (``SUM_ATOL`` for float64). The vector is returned unchanged (no renormalisation).

    Raises
    ------
    TypeError
        If ``x`` is not numeric (strings, objects, complex numbers).
    ValueError
        If ``x`` is not 1-D, is empty, has a non-finite or negative entry, or does not sum to one.
    """
    if isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be an array of probabilities; got {x!r}")
    if atol is None and isinstance(x, np.ndarray) and _was_validated(x):
        return x  # returned by this function before, read-only since
    x = _plain(x, name)
    try:
        arr = np.asarray(x)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{name} must be a 1-D array of probabilities; got {x!r}") from exc
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"{name} must be a numeric array; got dtype {arr.dtype} for {name}={_short(x)}")
    if np.iscomplexobj(arr):
        raise TypeError(f"{name} must be real; got complex values {name}={_short(x)}")
    in_dtype = arr.dtype
    arr = arr.astype(np.float64, copy=True)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D; got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must have at least one atom; got an empty array")
    _check_finite_nonnegative(arr, name)
    if atol is None:
        atol = sum_tolerance(in_dtype, arr.size)
    s = float(arr.sum())
    if abs(s - 1.0) > atol:
        hint = (
            "; for counts or unnormalised weights pass normalize(" + name + ")"
            if np.isfinite(s) and s > 0
            else ""
        )
        raise ValueError(f"{name} must sum to 1 within {atol:g}; got sum({name})={s!r}{hint}")
    arr.setflags(write=False)
    return _remember(arr)


def as_pair(p, q, names: tuple[str, str] = ("p", "q")) -> tuple[np.ndarray, np.ndarray]:
    """Validate two probability vectors on one support (same length ``k``).

    Two pandas Series are aligned on their labels first (see the module docstring).
    """
    p, q = _align(p, q, names)
    a = as_probability_vector(p, names[0])
    b = as_probability_vector(q, names[1])
    if a.shape != b.shape:
        raise ValueError(
            f"{names[0]} and {names[1]} must have the same number of atoms; "
            f"got len({names[0]})={a.size} and len({names[1]})={b.size}"
        )
    return a, b


def check_integer(value, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` as a Python int; reject bools, floats with a fraction, and out-of-range values.

    Integral floats such as ``4.0`` are rejected too: a packing degree or a step count that
    arrives as a float is almost always a bug upstream.
    """
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        raise TypeError(f"{name} must be an integer; got {name}={value!r} of type {type(value).__name__}")
    v = operator.index(value)
    if minimum is not None and v < minimum:
        raise ValueError(f"{name} must be >= {_int_text(minimum)}; got {name}={_int_text(v)}")
    if maximum is not None and v > maximum:
        raise ValueError(f"{name} must be <= {_int_text(maximum)}; got {name}={_int_text(v)}")
    return v


def _int_text(v: int) -> str:
    """``repr(v)``, or a short form such as ``1000...0 (401 digits)`` for huge integers."""
    s = repr(v)
    return s if len(s) <= 24 else f"{s[:6]}...{s[-2:]} ({len(s.lstrip('-'))} digits)"


def check_real(
    value,
    name: str,
    *,
    lo: float | None = None,
    hi: float | None = None,
    lo_open: bool = False,
    hi_open: bool = False,
) -> float:
    """Return ``value`` as a finite float within the stated interval, else raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"{name} must be a real number; got {name}={value!r} of type {type(value).__name__}")
    try:
        v = float(value)
    except OverflowError:  # an int beyond the float range, e.g. 10**400
        raise ValueError(f"{name} must be a finite real number; got {name}={_int_text(int(value))}") from None
    if not np.isfinite(v):
        raise ValueError(f"{name} must be finite; got {name}={v!r}")
    below = lo is not None and (v < lo or (lo_open and v == lo))
    above = hi is not None and (v > hi or (hi_open and v == hi))
    if below or above:
        interval = (
            ("(" if lo_open else "[")
            + ("-inf" if lo is None else f"{lo:g}")
            + ", "
            + ("inf" if hi is None else f"{hi:g}")
            + (")" if hi_open else "]")
        )
        raise ValueError(f"{name} must be in {interval}; got {name}={v!r}")
    return v


def check_real_array(x, name: str, *, allow_scalar: bool = False) -> np.ndarray:
    """``x`` as a float64 array of real numbers, refusing what ``np.asarray(x, dtype=float)`` would convert.

    Strings (``['0.5']``), bools (``True``, ``[True, False]``), objects such as ``None`` and
    complex numbers raise ``TypeError`` naming ``name``. Torch tensors and pandas Series are read
    as numbers (see the module docstring). Shape and finiteness are left to the caller; a 0-d
    array (a scalar) is refused unless ``allow_scalar``.
    """
    if isinstance(x, (str, bytes)) or x is None or isinstance(x, (bool, np.bool_)):
        raise TypeError(f"{name} must be an array of real numbers; got {name}={x!r}")
    x = _plain(x, name)
    try:
        arr = np.asarray(x)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{name} must be an array of real numbers; got {name}={x!r}") from exc
    if arr.dtype == object or arr.dtype == bool or not np.issubdtype(arr.dtype, np.number):
        raise TypeError(f"{name} must be an array of real numbers; got dtype {arr.dtype} for {name}={_short(x)}")
    if np.iscomplexobj(arr):
        raise TypeError(f"{name} must be real; got complex values {name}={_short(x)}")
    if arr.ndim == 0 and not allow_scalar:
        raise ValueError(f"{name} must be an array, not a scalar; got {name}={x!r}")
    return arr.astype(np.float64)


def check_probability(value, name: str, *, open_low: bool = False, open_high: bool = False) -> float:
    """A scalar in [0, 1] (ends optionally open), e.g. ``tau``, ``eps``, ``delta``, ``beta``."""
    return check_real(value, name, lo=0.0, hi=1.0, lo_open=open_low, hi_open=open_high)


def normalize(weights, name: str = "weights"):
    """Counts or unnormalised non-negative weights divided by their total: a probability vector.

    The explicit way to pass counts (``value_counts()``, histograms) or unnormalised weights to
    functions that take probability vectors, which never renormalise silently. Returns a
    read-only float64 array, or, for a pandas Series, a Series with the same labels (so that a
    pair of them is still aligned by label).

    Parameters
    ----------
    weights : array_like, shape (k,)
        Finite, non-negative numbers with a positive total (numpy arrays, sequences, torch
        tensors, pandas Series).
    name : str
        Parameter name used in error messages.

    Raises
    ------
    TypeError
        Non-numeric input.
    ValueError
        Not 1-D, empty, non-finite or negative entries, or a total of zero.

    Examples
    --------
    >>> normalize([3, 1]).tolist()
    [0.75, 0.25]
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty string (the label of messages); got name={name!r}")
    if isinstance(weights, (str, bytes)):
        raise TypeError(f"{name} must be an array of non-negative weights; got {weights!r}")
    labelled = _is_labelled(weights)
    arr = np.asarray(_plain(weights, name))
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool) or np.iscomplexobj(arr):
        raise TypeError(f"{name} must be a real numeric array; got dtype {arr.dtype} for {name}={_short(arr)}")
    arr = arr.astype(np.float64, copy=True)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array; got shape {arr.shape}")
    _check_finite_nonnegative(arr, name)
    scale = float(arr.max())
    if not scale > 0:
        raise ValueError(f"{name} must have a positive total; got {name}={_short(arr)}")
    arr = arr / scale  # no overflow of the sum for huge weights
    out = arr / float(arr.sum())
    if labelled:
        return weights * 0.0 + out  # same labels, float values
    out.setflags(write=False)
    return out

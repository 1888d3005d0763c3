"""Input validation shared by every package of the toolkit.

One place for the conventions of ``docs/theory.md`` s.0: a probability vector is a finite,
non-negative 1-D array that sums to one within :data:`SUM_ATOL`; zero-mass atoms are legal.
Errors are ``ValueError``/``TypeError`` naming the parameter and showing the offending value.
Never ``assert`` on user input (``python -O`` strips asserts).
"""

from __future__ import annotations

import numbers
import operator

import numpy as np

__all__ = [
    "SUM_ATOL",
    "as_probability_vector",
    "as_pair",
    "check_integer",
    "check_probability",
    "check_real",
]

#: Absolute tolerance on ``sum(p) == 1``. Vectors within it are accepted *as given*
#: (not renormalised); anything further off raises. 1e-9 admits float round-off from
#: normalising vectors of up to ~1e6 atoms while catching genuine mistakes.
SUM_ATOL = 1e-9


def _short(x, limit: int = 80) -> str:
    s = np.array2string(np.asarray(x), threshold=8, precision=6) if not isinstance(x, str) else repr(x)
    return s if len(s) <= limit else s[: limit - 3] + "..."


def as_probability_vector(x, name: str = "p", *, atol: float = SUM_ATOL) -> np.ndarray:
    """Validate ``x`` as a probability vector and return it as a float64 array of shape (k,).

    Parameters
    ----------
    x : array_like, shape (k,)
        Finite, non-negative masses summing to one within ``atol``. Zeros are allowed.
    name : str
        Parameter name used in error messages.
    atol : float
        Tolerance on the total mass; the vector is returned unchanged (no renormalisation).

    Raises
    ------
    TypeError
        If ``x`` is not numeric (strings, objects, complex numbers).
    ValueError
        If ``x`` is not 1-D, is empty, has a non-finite or negative entry, or does not sum to one.
    """
    if isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be an array of probabilities; got {x!r}")
    try:
        arr = np.asarray(x)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{name} must be a 1-D array of probabilities; got {x!r}") from exc
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"{name} must be a numeric array; got dtype {arr.dtype} for {name}={_short(x)}")
    if np.iscomplexobj(arr):
        raise TypeError(f"{name} must be real; got complex values {name}={_short(x)}")
    arr = arr.astype(np.float64, copy=True)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D; got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must have at least one atom; got an empty array")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite; got {name}={_short(arr)}")
    if np.any(arr < 0):
        i = int(np.argmin(arr))
        raise ValueError(f"{name} must be non-negative; got {name}[{i}]={float(arr[i])!r}")
    s = float(arr.sum())
    if abs(s - 1.0) > atol:
        raise ValueError(f"{name} must sum to 1 within {atol:g}; got sum({name})={s!r}")
    arr.setflags(write=False)
    return arr


def as_pair(p, q, names: tuple[str, str] = ("p", "q")) -> tuple[np.ndarray, np.ndarray]:
    """Validate two probability vectors on one support (same length ``k``)."""
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
        raise ValueError(f"{name} must be >= {minimum}; got {name}={v!r}")
    if maximum is not None and v > maximum:
        raise ValueError(f"{name} must be <= {maximum}; got {name}={v!r}")
    return v


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
    v = float(value)
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


def check_probability(value, name: str, *, open_low: bool = False, open_high: bool = False) -> float:
    """A scalar in [0, 1] (ends optionally open), e.g. ``tau``, ``eps``, ``delta``, ``beta``."""
    return check_real(value, name, lo=0.0, hi=1.0, lo_open=open_low, hi_open=open_high)

"""A fuzz harness over the public callables of ``modecollapse.divergences`` and ``modecollapse.regions``.

Every public function and class (the faces' ``__all__``), and the public methods of an example
instance of each class, is called once with a valid example for each parameter (:data:`VALID`,
:data:`METHOD_VALID`) and then with one parameter at a time replaced by an entry of a bank of bad
and edge inputs (:func:`bank`). A call is a :class:`Call`; :func:`run_call` runs it under a time
limit (``signal.setitimer``), with every warning turned into an error, and classifies what
happened (:class:`Outcome`). :func:`problems` holds the rules the package promises:

- only ``ValueError`` / ``TypeError`` escape (no other exception, no warning, no time-out);
- the message of such an error names the parameter that was replaced (or an alias in :data:`ALIASES`);
- a valid call, and every call the function accepts, returns no NaN;
- an input that is invalid for every parameter of its kind (``None`` where neither the default nor
  the example is None, NaN, ``True`` where the example is not a bool, a string or string array
  where the example is not a string, a 2-D array where the example is a 1-D vector) is refused,
  not silently accepted.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import re
import signal
import warnings
from typing import Any, Callable, NamedTuple

import numpy as np

import modecollapse.divergences as D
import modecollapse.regions as R

P = np.array([0.5, 0.3, 0.2])
Q = np.array([0.2, 0.3, 0.5])
P2 = np.array([0.5, 0.5])  # P, Q with the last two atoms merged: a garbling of (P, Q)
Q2 = np.array([0.2, 0.8])
X2 = np.array([[0.0, 0.1], [0.3, -0.2], [1.0, 0.5], [-0.5, 0.2], [0.2, 0.9], [0.7, -0.4]])
Y2 = X2[::-1] * 0.9 + 0.05


def _gauss_pdf(x):
    x = np.asarray(x, dtype=float)
    return np.exp(-0.5 * np.sum(np.atleast_2d(x) ** 2, axis=1)) / (2 * np.pi)


def _kl():
    return D.get_f_divergence("kl")


def _fdiv_fields():
    kl = _kl()
    return {f.name: getattr(kl, f.name) for f in dataclasses.fields(kl) if f.init}


#: a valid keyword set for each public callable (lambdas: built when used)
VALID: dict[str, Callable[[], dict]] = {
    # divergences
    "normalize": lambda: dict(weights=[2.0, 1.0, 1.0], name="weights"),
    "FDivergence": _fdiv_fields,
    "get_f_divergence": lambda: dict(name="kl"),
    "f_divergence": lambda: dict(p=P, q=Q, f="kl"),
    "tv_distance": lambda: dict(p=P, q=Q),
    "kl_divergence": lambda: dict(p=P, q=Q),
    "js_divergence": lambda: dict(p=P, q=Q),
    "variational_lower_bound": lambda: dict(p=P, q=Q, witness=D.optimal_witness(P, Q, "kl"), f="kl"),
    "variational_lower_bound_samples": lambda: dict(t_p=np.array([0.1, 0.2, 0.3, 0.4]),
                                                    t_q=np.array([0.0, -0.1, 0.2]), f="kl"),
    "optimal_witness": lambda: dict(p=P, q=Q, f="kl"),
    "optimal_discriminator": lambda: dict(p=P, q=Q),
    "gan_value": lambda: dict(p=P, q=Q, d=np.array([0.6, 0.5, 0.3])),
    "log_trick_loss": lambda: dict(p=P, q=Q, d=np.array([0.6, 0.5, 0.3])),
    "reverse_f": lambda: dict(f="kl"),
    "wasserstein1": lambda: dict(x=np.array([0.0, 1.0, 2.0]), y=np.array([0.5, 1.5]), a=None, b=None,
                                 method="auto"),
    "wasserstein1_dual": lambda: dict(x=np.array([0.0, 1.0, 2.0]), y=np.array([0.5, 1.5]), a=None, b=None,
                                      method="auto"),
    "adagan_optimal_component": lambda: dict(p_data=P, p_model=Q, beta=0.5, kind="star"),
    "adagan_weights": lambda: dict(discriminator_outputs=np.array([0.2, 0.5, 0.8]), beta=0.5, kind="star",
                                   base_weights=None, eta=0.0, from_logits=False),
    "adagan_iterates": lambda: dict(p_data=P, p_model=Q, betas=[0.5, 0.3], kind="star"),
    "adagan_weak_learner_factor": lambda: dict(gamma=0.5, beta=0.5, kind="star"),
    "adagan_finite_steps": lambda: dict(ess_sup=4.0, beta=0.5),
    "ConstantBeta": lambda: dict(value=0.5),
    "BoostedBeta": lambda: dict(),
    "EnsembleBeta": lambda: dict(),
    "TopKLastBeta": lambda: dict(r=0.5),
    "beta_schedule": lambda: dict(spec="constant:0.3"),
    "adagan_mixture_weights": lambda: dict(betas=[1.0, 0.5, 0.3]),
    "topklast_beta": lambda: dict(h=np.array([0.2, 0.5, 0.8]), r=0.5, weights=None),
    "GaussianMixture": lambda: dict(weights=np.array([0.5, 0.5]), means=np.array([[0.0, 0.0], [1.0, 1.0]]),
                                    stds=np.array([0.5, 0.5])),
    "coverage_discrete": lambda: dict(p_data=P, p_model=Q, mass=0.95),
    "coverage_monte_carlo": lambda: dict(model_pdf=_gauss_pdf, model_samples=X2, data_samples=Y2, mass=0.9,
                                         confidence=0.9),
    "coverage_kde": lambda: dict(model_samples=X2, data_samples=Y2, mass=0.9, confidence=0.9, bandwidths=None,
                                 max_select=10, seed=0),
    # regions
    "Region": lambda: dict(vertices=R.mode_collapse_region(P, Q).vertices),
    "mode_collapse_region": lambda: dict(p=P, q=Q),
    "has_mode_collapse": lambda: dict(p=P, q=Q, eps=0.1, delta=0.3, randomized=True, atol=1e-12),
    "pair_from_region": lambda: dict(vertices=R.mode_collapse_region(P, Q).vertices),
    "GaussianRegion": lambda: dict(d=1.0),
    "gaussian_region": lambda: dict(mu_p=0.0, mu_q=1.0, sigma=1.0, m=1),
    "LikelihoodRatioPair": lambda: dict(p=P, q=Q, description=""),
    "piecewise_uniform_pair": lambda: dict(edges=np.array([0.0, 0.5, 1.0]), p_density=np.array([1.0, 1.0]),
                                           q_density=np.array([0.6, 1.4]), description=""),
    "pacgan_example": lambda: dict(name="Q1"),
    "blackwell_garbling": lambda: dict(p=P, q=Q, p2=P2, q2=Q2),
    "blackwell_leq": lambda: dict(p=P, q=Q, p2=P2, q2=Q2, atol=1e-12),
    "packed_tv": lambda: dict(p=P, q=Q, m=2, width=1e-6),
    "packed_tv_bounds": lambda: dict(p=P, q=Q, m=2, width=1e-6, method="auto", max_points=2 ** 26),
    "packed_pair": lambda: dict(p=P, q=Q, m=2),
    "packed_region": lambda: dict(p=P, q=Q, m=2, width=1e-6, method="auto", max_points=2 ** 26),
    "product_pair": lambda: dict(ps=np.array([P, Q]), qs=np.array([Q, P])),
    "product_tv": lambda: dict(ps=np.array([P, Q]), qs=np.array([Q, P])),
    "product_region": lambda: dict(ps=np.array([P, Q]), qs=np.array([Q, P])),
    "packed_tv_max": lambda: dict(tau=0.2, m=2),
    "packed_tv_min": lambda: dict(tau=0.2, m=2),
    "packed_tv_min_with_collapse": lambda: dict(tau=0.3, m=2, eps=0.1, delta=0.3),
    "packed_tv_max_without_collapse": lambda: dict(tau=0.3, m=2, eps=0.1, delta=0.3, two_sided=False),
    "tv_band": lambda: dict(tau=0.2, m=2),
    "estimate_cell_masses": lambda: dict(counts=np.array([30, 50, 20]), confidence=0.95),
    "l1_radius": lambda: dict(n=100, k=3, confidence=0.95),
    "samples_for_l1_radius": lambda: dict(radius=0.1, k=3, confidence=0.95),
    "region_from_scores": lambda: dict(scores_p=np.linspace(0.3, 1.0, 20), scores_q=np.linspace(0.0, 0.7, 20),
                                       confidence=0.95, m=1, packed=False),
    "region_from_counts": lambda: dict(counts_p=np.array([30, 50, 20]), counts_q=np.array([20, 30, 50]),
                                       confidence=0.95, m=1),
    "dkw_radius": lambda: dict(n=100, alpha=0.05),
    "region_from_tradeoff": lambda: _curve("tradeoff"),
    "region_from_hockey_stick": lambda: _curve("hockey_stick"),
    "region_from_prd": lambda: _curve("prd"),
}


def _curve(kind: str) -> dict:
    """Points of R(P, Q)'s trade-off, hockey-stick or PRD curve (the inputs of ``region_from_*``)."""
    reg = R.mode_collapse_region(P, Q)
    if kind == "tradeoff":
        alpha = np.array([0.2, 0.5, 0.8])
        return dict(alpha=alpha, beta=np.array([float(reg.tradeoff(a)) for a in alpha]))
    if kind == "hockey_stick":
        slopes = np.array([0.5, 1.0, 2.0])
        return dict(slopes=slopes, values=np.array([reg.hockey_stick(v) for v in slopes]))
    pts = [reg.prd(lam) for lam in (0.5, 1.0, 2.0)]
    return dict(alpha=np.array([float(a) for a, _ in pts]), beta=np.array([float(b) for _, b in pts]))

#: public names that are not called, each with the reason (printed by the test)
NOT_CALLED = {
    "SUM_ATOL": "a constant", "F_DIVERGENCES": "a mapping of instances (their methods are fuzzed)",
    "ADAGAN_KINDS": "a constant", "REGION_ATOL": "a constant", "GARBLING_ATOL": "a constant",
    "BetaSchedule": "abstract base class (its subclasses are fuzzed)",
    "ModeCollapseRegion": "abstract base class (Region and GaussianRegion are fuzzed)",
}

#: result objects: built by the library, never validated on construction; only their methods are fuzzed
RESULT_TYPES = {
    "VariationalEstimate", "W1Dual", "W1DualCheck", "AdaGANComponent", "AdaGANWeights", "AdaGANIterates",
    "ScheduleStep", "Coverage", "PackedTVBounds", "PackedPair", "PackedRegion", "PackedTVOptimum", "TVBand",
    "MultinomialEstimate", "RegionEstimate",
}

#: an example instance of each class whose public methods are fuzzed
INSTANCES: dict[str, Callable[[], Any]] = {
    "FDivergence": _kl,
    "FDivergence(jensen_shannon)": lambda: D.get_f_divergence("jensen_shannon"),
    "VariationalEstimate": lambda: D.variational_lower_bound_samples([0.1, 0.2, 0.3], [0.0, -0.1, 0.2], "kl"),
    "W1Dual": lambda: D.wasserstein1_dual([0.0, 1.0, 2.0], [0.5, 1.5]),
    "ConstantBeta": lambda: D.ConstantBeta(0.5),
    "BoostedBeta": lambda: D.BoostedBeta(),
    "EnsembleBeta": lambda: D.EnsembleBeta(),
    "TopKLastBeta": lambda: D.TopKLastBeta(0.5),
    "GaussianMixture": lambda: D.GaussianMixture(**VALID["GaussianMixture"]()),
    "Region": lambda: R.mode_collapse_region(P, Q),
    "GaussianRegion": lambda: R.GaussianRegion(1.0),
    "LikelihoodRatioPair": lambda: R.pacgan_example("Q2"),
    "PackedRegion": lambda: R.packed_region(P, Q, 2),
}

#: valid keywords of the public methods, by method name (a method not listed takes its defaults)
METHOD_VALID: dict[str, Callable[[], dict]] = {
    "divergence": lambda: dict(p=P, q=Q),
    "in_conjugate_domain": lambda: dict(t=np.array([0.1, -0.2])),
    "scaled": lambda: dict(c=2.0, name=None, quantity=None),
    "interval": lambda: dict(z=1.96),
    "check": lambda: dict(atol=1e-8),
    "beta": lambda: dict(t=2, h=np.array([0.2, 1.5, 0.8]), weights=None),
    "step": lambda: dict(t=2, discriminator_outputs=np.array([0.2, 0.5, 0.8]), base_weights=None, kind="star", eta=0.0,
                         from_logits=False),
    "logpdf": lambda: dict(x=np.array([[0.0, 0.1], [1.0, 0.5]])),
    "pdf": lambda: dict(x=np.array([[0.0, 0.1], [1.0, 0.5]])),
    "sample": lambda: dict(n=5, rng=0),
    "delta_at": lambda: dict(eps=0.3),
    "eps_at": lambda: dict(delta=0.5),
    "support_point": lambda: dict(slope=1.0),
    "hockey_stick": lambda: dict(slope=1.0),
    "hockey_stick_bounds": lambda: dict(slope=1.0),
    "inner_polygon": lambda: dict(n=16),
    "outer_polygon": lambda: dict(n=16),
    "polygon_gap": lambda: dict(n=16),
    "boundary": lambda: dict(n=16),
    "contains": lambda: dict(eps=0.1, delta=0.3, atol=1e-12),
    "issubset": lambda: dict(other=R.mode_collapse_region(P, Q), atol=1e-12),
    "isclose": lambda: dict(other=R.mode_collapse_region(P, Q), atol=1e-12),
    "hull": lambda: dict(points=np.array([[0.0, 0.0], [0.2, 0.5], [1.0, 1.0]])),
    "pack": lambda: dict(m=2),
    "hockey_stick_inverse": lambda: dict(value=0.2),
    "prd": lambda: dict(lam=1.0),
    "tradeoff": lambda: dict(alpha=0.3),
    "tradeoff_inverse": lambda: dict(beta=0.5),
}

#: a message may name a parameter by another documented word (callable, parameter) -> words
ALIASES: dict[tuple[str, str], tuple[str, ...]] = {}


class Call(NamedTuple):
    """One call: ``label`` (``name(param=<input>)``), the callable, its keywords, the replaced
    parameter (None for the valid call) and the kind of input put there."""

    label: str
    fn: Callable
    kwargs: dict
    param: str | None
    kind: str


class Outcome(NamedTuple):
    """What a call did: ``status`` is ``ok``, ``refused`` (ValueError/TypeError), ``error`` (another
    exception), ``warning`` or ``timeout``; ``detail`` the exception text; ``value`` the result."""

    status: str
    detail: str = ""
    value: Any = None
    seconds: float = 0.0


class _Timeout(BaseException):
    """Raised by the alarm; a BaseException so that ``except Exception`` in the code cannot swallow it."""


# ------------------------------------------------------------------------------------- the bank


def _is_vector(v) -> bool:
    return isinstance(v, (list, tuple, np.ndarray)) and np.ndim(v) == 1 and len(v) > 0 and all(
        isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, (bool, np.bool_))
        for x in np.asarray(v, dtype=object))


def bank(valid, *, full: bool = False) -> list[tuple[str, Any]]:
    """Bad and edge inputs for a parameter whose valid example is ``valid``: ``(kind, value)``.

    The default bank has the inputs of issue-style fuzzing (None, bool, str, nan, inf, -1, 0,
    10**400, [], 2-D and string arrays, a wrong length, float32, subnormal and 1e-300 masses,
    and for a real scalar the values 5e-324, 1e-300 and 1e-17);
    ``full=True`` adds more (negative and huge floats, -inf, 3-D arrays, object and complex arrays,
    an empty 2-D array, a callable, a dict).
    """
    out: list[tuple[str, Any]] = [
        ("None", None), ("True", True), ("str", "abc"), ("nan", math.nan), ("inf", math.inf),
        ("-1", -1), ("0", 0), ("10**400", 10 ** 400), ("[]", []),
    ]
    if _is_vector(valid):
        v = np.asarray(valid, dtype=float)
        out += [
            ("2-D", np.atleast_2d(v)),
            ("str array", v.astype(str)),
            ("longer", np.append(v, v[-1])),
            ("float32", v.astype(np.float32)),
        ]
        if len(v) > 1:
            out.append(("shorter", v[:-1]))
        for tiny in (5e-324, 1e-300):
            w = v.copy()
            w[int(np.argmin(w))] = tiny
            out.append((f"mass {tiny:g}", w))
    else:
        out += [("2-D", np.array([[0.5, 0.5], [0.5, 0.5]])), ("str array", np.array(["0.5", "0.5"]))]
        if isinstance(valid, float):  # a real scalar (beta, eps, tau, ...): tiny values are valid edges
            out += [("scalar 5e-324", 5e-324), ("scalar 1e-300", 1e-300), ("scalar 1e-17", 1e-17)]
    if full:
        out += [
            ("-inf", -math.inf), ("-0.5", -0.5), ("1e308", 1e308), ("-1e308", -1e308), ("2**63", 2 ** 63),
            ("1.5", 1.5), ("3-D", np.zeros((2, 2, 2))), ("object array", np.array([0.5, None], dtype=object)),
            ("complex", np.array([0.5 + 1j, 0.5])), ("empty 2-D", np.zeros((0, 2))), ("callable", len),
            ("dict", {"a": 1}), ("nan array", np.array([np.nan, 1.0])), ("bool array", np.array([True, False])),
        ]
        if _is_vector(valid):
            v = np.asarray(valid, dtype=float)
            out += [("negative mass", np.where(v == v.max(), v + 0.1, v) - np.where(v == v.min(), 0.1, 0)),
                    ("list", list(v)), ("int vector", np.ones(len(v), dtype=int))]
    return out


# ------------------------------------------------------------------------------------- the calls


def _params(fn) -> list[str]:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return []
    return [n for n, p in sig.parameters.items()
            if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and n != "self"]


def _defaults(fn) -> dict:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return {}
    return {n: p.default for n, p in sig.parameters.items() if p.default is not p.empty}


def missing() -> list[str]:
    """Public names of the faces that this harness neither calls nor lists as not called, and
    public methods of :data:`INSTANCES` with a required parameter but no :data:`METHOD_VALID` entry."""
    out = [name for face in (D, R) for name in face.__all__
           if name not in VALID and name not in NOT_CALLED and name not in RESULT_TYPES]
    for cls_label, make in INSTANCES.items():
        for meth_name, meth in _methods(make()):
            if meth_name not in METHOD_VALID and _required(meth):
                out.append(f"{cls_label}.{meth_name}")
    return out


def _methods(obj):
    for meth_name, _ in inspect.getmembers(type(obj), predicate=callable):
        if meth_name.startswith("_"):
            continue
        meth = getattr(obj, meth_name)
        if callable(meth) and not inspect.isclass(meth):
            yield meth_name, meth


def _required(fn) -> bool:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return False
    return any(p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
               for n, p in sig.parameters.items() if n != "self")


def targets() -> list[tuple[str, Callable, dict]]:
    """``(label, callable, valid keywords)`` of every fuzzed callable: the faces' public functions
    and classes (constructors) and the public methods of :data:`INSTANCES` (names in
    :func:`missing` are skipped: a test reports them)."""
    out = []
    for face in (D, R):
        for name in face.__all__:
            if name in NOT_CALLED or name in RESULT_TYPES or name not in VALID:
                continue
            out.append((name, getattr(face, name), VALID[name]()))
    for cls_label, make in INSTANCES.items():
        for meth_name, meth in _methods(make()):
            if meth_name not in METHOD_VALID and _required(meth):
                continue  # reported by missing()
            kw = METHOD_VALID[meth_name]() if meth_name in METHOD_VALID else {}
            params = _params(meth)
            kw = {k: v for k, v in kw.items() if k in params}
            out.append((f"{cls_label}.{meth_name}", meth, kw))
    return out


def calls(*, full: bool = False) -> list[Call]:
    """Every call: for each target its valid call, then each parameter replaced by each bank entry."""
    out = []
    for label, fn, valid in targets():
        out.append(Call(f"{label}(valid)", fn, valid, None, "valid"))
        defaults = _defaults(fn)
        for param in _params(fn):
            example = valid.get(param, defaults.get(param))
            for kind, value in bank(example, full=full):
                out.append(Call(f"{label}({param}=<{kind}>)", fn, {**valid, param: value}, param, kind))
    return out


#: bank kinds that are valid edges (not errors): combined two at a time by :func:`pair_calls`
EDGE_KINDS = ("0", "float32", "mass 5e-324", "mass 1e-300", "scalar 5e-324", "scalar 1e-300", "scalar 1e-17")


def pair_calls() -> list[Call]:
    """Two parameters replaced at once by valid edge inputs (:data:`EDGE_KINDS`): both vectors of
    a pair with tiny masses, a tiny ``beta`` with a float32 vector, ..."""
    out = []
    for label, fn, valid in targets():
        defaults = _defaults(fn)
        params = _params(fn)
        edges = {p: [(k, v) for k, v in bank(valid.get(p, defaults.get(p))) if k in EDGE_KINDS] for p in params}
        for i, a in enumerate(params):
            for b in params[i + 1:]:
                for ka, va in edges[a]:
                    for kb, vb in edges[b]:
                        out.append(Call(f"{label}({a}=<{ka}>, {b}=<{kb}>)", fn, {**valid, a: va, b: vb}, None,
                                        f"{ka}+{kb}"))
    return out


def run_call(call: Call, *, seconds: float = 2.0) -> Outcome:
    """Run ``call`` with every warning an error, stopped after ``seconds`` (SIGALRM)."""
    import time

    def alarm(signum, frame):
        raise _Timeout()

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            value = call.fn(**call.kwargs)
        return Outcome("ok", value=value, seconds=time.perf_counter() - t0)
    except _Timeout:
        return Outcome("timeout", f"ran past {seconds:g} s", seconds=time.perf_counter() - t0)
    except (ValueError, TypeError) as exc:
        return Outcome("refused", f"{type(exc).__name__}: {exc}", seconds=time.perf_counter() - t0)
    except Warning as exc:
        return Outcome("warning", f"{type(exc).__name__}: {exc}", seconds=time.perf_counter() - t0)
    except Exception as exc:  # noqa: BLE001 - classified, reported
        return Outcome("error", f"{type(exc).__name__}: {exc}", seconds=time.perf_counter() - t0)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


# ------------------------------------------------------------------------------------- the rules


def has_nan(value, _depth: int = 0) -> bool:
    """Whether ``value`` (a number, array, tuple, dataclass or NamedTuple, nested) holds a NaN."""
    if _depth > 4:
        return False
    if isinstance(value, (float, np.floating)):
        return math.isnan(value)
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "fc" and bool(np.isnan(value).any())
    if isinstance(value, (tuple, list)):
        return any(has_nan(v, _depth + 1) for v in value[:1000])
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return any(has_nan(getattr(value, f.name), _depth + 1) for f in dataclasses.fields(value))
    return False


def _names(message: str, words) -> bool:
    return any(re.search(rf"(?<![A-Za-z0-9_]){re.escape(w)}(?![A-Za-z0-9_])", message) for w in words)


def _annotation(fn, param) -> str:
    try:
        ann = inspect.signature(fn).parameters[param].annotation
    except (TypeError, ValueError, KeyError):
        return ""
    return "" if ann is inspect.Parameter.empty else str(ann)


def _invalid_everywhere(call: Call, example, default) -> bool:
    """Whether ``call``'s input is one no parameter of this kind may accept."""
    kind = call.kind
    if kind in ("str", "None") and re.search(r"\bstr\b" if kind == "str" else r"\bNone\b",
                                            _annotation(call.fn, call.param)):
        return False
    if kind == "None":
        return example is not None and default is not None
    if kind == "nan":
        return True
    if kind == "True":
        return not isinstance(example, (bool, np.bool_))
    if kind in ("str", "str array"):
        return not isinstance(example, str) and not callable(example)
    if kind == "2-D":
        return _is_vector(example)
    return False


def problems(call: Call, outcome: Outcome, example=None, default=None) -> list[str]:
    """The rules broken by ``call`` with ``outcome`` (empty when it behaved)."""
    label = call.label
    if outcome.status in ("error", "warning", "timeout"):
        return [f"{label}: {outcome.status}: {outcome.detail}"]
    if outcome.status == "refused":
        if call.kind != "valid" and call.param is None:  # a pair of edges: refusing either is allowed
            return []
        if call.param is None:
            return [f"{label}: the valid example was refused: {outcome.detail}"]
        fn_name = label.split("(")[0]
        words = (call.param, *ALIASES.get((fn_name, call.param), ()))
        if not _names(outcome.detail, words):
            return [f"{label}: the message does not name {call.param!r}: {outcome.detail}"]
        return []
    out = []
    if has_nan(outcome.value):
        out.append(f"{label}: returned NaN: {outcome.value!r:.200}")
    if call.param is not None and _invalid_everywhere(call, example, default):
        out.append(f"{label}: accepted an invalid input: returned {outcome.value!r:.120}")
    return out


def sweep(*, full: bool = False, pairs: bool = False, seconds: float = 2.0,
          select: Callable[[Call], bool] | None = None):
    """Run every call of :func:`calls` (``pairs=True``: of :func:`pair_calls`); returns
    ``(n_calls, [problem lines], slowest seconds)``."""
    found, slowest, n = [], 0.0, 0
    defaults_cache: dict = {}
    valid_cache: dict = {}
    for call in (pair_calls() if pairs else calls(full=full)):
        if select is not None and not select(call):
            continue
        n += 1
        outcome = run_call(call, seconds=seconds)
        slowest = max(slowest, outcome.seconds)
        key = call.label.split("(")[0]
        if key not in defaults_cache:
            defaults_cache[key] = _defaults(call.fn)
        if call.param is None:
            valid_cache[key] = call.kwargs
        example = valid_cache.get(key, {}).get(call.param)
        found += problems(call, outcome, example, defaults_cache[key].get(call.param, inspect.Parameter.empty))
    return n, found, slowest

"""Multi-class losses from a user callable: :func:`multiclass_loss` (any ℓ(h, y)), :func:`comp_sum_from_psi` (Ψ(s_y)).

A vectorised NumPy callable ``fn(scores, labels)`` — scores (m, n) float64, integer labels (m,), returning the
per-example losses (m,) — becomes a :class:`~theorylab.losses.base.Loss`, so that every theory function that takes
a Loss (the tight transform, the calibration check) runs on it:

* values as ``fn`` gives them; gradients by central differences (numeric, documented at
  :meth:`CallableLoss.value_and_grad`);
* C(h, p) = Σ_y p_y fn(h, y), vectorised: each score row is repeated once per label and ``fn`` is called once;
  terms with p_y = 0 are left out (so an infinite loss at a label of probability 0 does not give 0·∞ = NaN);
* C*(p) = inf_h C(h, p) numerically (:func:`~theorylab.losses.callable_risks.minimize_conditional_risk`: probes
  along rays for an infimum at infinity, multistart L-BFGS-B, a Nelder–Mead polish; −inf when unbounded below);
  ``has_closed_best_risk`` is False, so the tight search of :mod:`theorylab.theory.tight` takes its numeric
  route.

The class is :class:`~theorylab.losses.callable_base.CallableLoss` (re-exported here); this module holds the
constructors and the probe. The callable is checked once, at construction, on a fixed probe (finite normal scores
with n = 3 and n = 4 classes, every label): it must return a real floating array of shape (m,), finite there.
Convexity and boundedness are declared by the caller (default False: nothing claimed).

References: P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, JASA 101(473), 2006 (conditional risks, §2); A. Tewari,
P. L. Bartlett, JMLR 8, 2007 (multi-class conditional risks); A. Mao, M. Mohri, Y. Zhong, ICML 2023,
arXiv:2304.07288 (comp-sum losses ℓ = Ψ(softmax(h)_y), §3).
"""
from __future__ import annotations

import numpy as np

from .._validation import InputError, check_bool, check_integer, short_repr
from .callable_base import CallableLoss

__all__ = ["CallableLoss", "multiclass_loss", "comp_sum_from_psi"]

_PROBE_CLASSES = (3, 4)


def _probe(fn, n):
    """The construction probe at n classes: normal scores (2n, n) (seed 0) and labels 0, 1, …, n−1 twice."""
    rng = np.random.default_rng(0)
    return rng.normal(0.0, 1.0, (2 * n, n)), np.tile(np.arange(n), 2)


def _check_callable(fn, n_values):
    """Call ``fn`` on the probes; raise a one-line InputError naming what is wrong."""
    if not callable(fn):
        raise InputError(f"fn={short_repr(fn)} is not allowed; a callable fn(scores, labels) returning the "
                         "per-example losses is")
    for n in n_values:
        S, y = _probe(fn, n)
        try:
            out = fn(S.copy(), y.copy())
        except Exception as exc:  # noqa: BLE001 - the user's callable may raise anything
            msg = " ".join(str(exc).split())[:80]
            raise InputError(f"fn raised {type(exc).__name__}({msg}) on probe scores of shape {S.shape} float64 "
                             f"with labels of shape {y.shape}; fn(scores, labels) must accept them") from None
        arr = np.asarray(out)
        if arr.shape != (S.shape[0],):
            raise InputError(f"fn returned shape {arr.shape} on scores of shape {S.shape}; per-example losses "
                             f"of shape ({S.shape[0]},) are required")
        if arr.dtype.kind != "f":
            raise InputError(f"fn returned dtype {arr.dtype}; a real floating dtype (float64 or float32) is "
                             "required")
        if not np.all(np.isfinite(arr)):
            raise InputError(f"fn returned non-finite losses {short_repr(arr.tolist())} on finite probe scores "
                             f"of shape {S.shape}; finite losses are required there")


def multiclass_loss(fn, name=None, *, convex=False, bounded=False, params=None, n_classes=None) -> CallableLoss:
    """A multi-class :class:`CallableLoss` ℓ(h, y) = fn(h, y) from a vectorised callable.

    ``fn(scores, labels)`` takes scores (m, n) float64 and integer labels (m,) and returns the per-example
    losses (m,). It is checked once, on fixed probe scores (normal, seed 0) with n = 3 and n = 4 classes (or the
    declared ``n_classes``): the output must be an array of shape (m,), of a real floating dtype, finite there.
    C(h, p) = Σ_y p_y fn(h, y); C*(p) = inf_h C(h, p) numerically.

    Parameters
    ----------
    fn : callable
        The vectorised loss.
    name : str, optional
        The loss name (default: ``fn.__name__``, or "callable_loss" for a lambda).
    convex : bool, default False
        Declare ℓ convex in the scores (a guarantee; False claims nothing).
    bounded : bool, default False
        Declare ℓ bounded above (a guarantee; False claims nothing).
    params : dict, optional
        Parameters to record (e.g. ``{"gamma": 2.0}``).
    n_classes : int or None, default None
        The one number of classes ``fn`` is defined for (≥ 2), or None for any n (probed at 3 and 4).

    Returns
    -------
    CallableLoss
        The loss object.

    Raises
    ------
    InputError
        When fn is not callable, raises on the probe, or returns the wrong shape, a non-floating dtype or
        non-finite values there; for a bad name, flag, params or n_classes.

    References
    ----------
    A. Tewari, P. L. Bartlett, "On the Consistency of Multiclass Classification Methods", J. Mach. Learn. Res. 8,
    2007 (a multi-class loss and its conditional risk C(h, p) = Σ_y p_y ℓ(h, y)).
    """
    convex = check_bool("convex", convex)
    bounded = check_bool("bounded", bounded)
    if n_classes is not None:
        n_classes = check_integer("n_classes", n_classes, minimum=2)
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise InputError(f"params={short_repr(params)} is not allowed; a dict of parameter values (or None) is")
    if name is None:
        name = getattr(fn, "__name__", None)
        name = "callable_loss" if not isinstance(name, str) or name == "<lambda>" else name
    if not isinstance(name, str) or not name:
        raise InputError(f"name={short_repr(name)} is not allowed; a non-empty string (or None) is")
    _check_callable(fn, _PROBE_CLASSES if n_classes is None else (n_classes,))
    return CallableLoss(fn, name, convex, bounded, params, n_classes)


def comp_sum_from_psi(psi, name=None, *, convex=False, bounded=False, params=None) -> CallableLoss:
    """The comp-sum loss ℓ(h, y) = Ψ(softmax(h)_y) from a user Ψ, as a :func:`multiclass_loss`.

    softmax(h)_y = exp(h_y − logsumexp(h)) (computed from the log-softmax: no overflow). ``psi`` is a vectorised
    callable on (0, 1] (it may see 0 where the softmax underflows, at extreme scores). Ψ_τ(s) = (1 − s^{τ−1})/(τ−1)
    recovers the comp-sum family ℓ^τ, Ψ(s) = −log s cross-entropy.

    Parameters
    ----------
    psi : callable
        Ψ, elementwise on an array of softmax masses.
    name : str, optional
        The loss name (default ``"comp_sum_psi(<psi.__name__>)"``).
    convex : bool, default False
        Declared convexity in the scores.
    bounded : bool, default False
        Declared boundedness above.
    params : dict, optional
        Parameters to record.

    Returns
    -------
    CallableLoss
        The loss.

    Raises
    ------
    InputError
        When psi is not callable or the resulting loss fails the probe of :func:`multiclass_loss` (wrong shape,
        dtype, or non-finite values on finite scores).

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023,
    arXiv:2304.07288 (comp-sum losses ℓ = Ψ(softmax(h)_y), §3).
    """
    if not callable(psi):
        raise InputError(f"psi={short_repr(psi)} is not allowed; a callable Psi(s) on softmax masses in (0, 1] is")
    s = np.linspace(0.05, 1.0, 8)
    try:
        out = np.asarray(psi(s.copy()))
    except Exception as exc:  # noqa: BLE001 - the user's callable may raise anything
        msg = " ".join(str(exc).split())[:80]
        raise InputError(f"psi raised {type(exc).__name__}({msg}) on probe masses of shape (8,) in (0, 1]; "
                         "Psi(s) must accept a float64 array") from None
    if out.shape != s.shape or out.dtype.kind != "f" or not np.all(np.isfinite(out)):
        raise InputError(f"psi returned {short_repr(out)} on probe masses of shape (8,) in (0, 1]; a finite "
                         "float array of the same shape is required")
    if name is None:
        pname = getattr(psi, "__name__", "psi")
        name = f"comp_sum_psi({'psi' if pname == '<lambda>' else pname})"

    def fn(scores, labels):
        m = scores.max(-1, keepdims=True)
        z = scores - m
        ls = z - np.log(np.exp(z).sum(-1, keepdims=True))
        return psi(np.exp(ls[np.arange(scores.shape[0]), labels]))

    fn.__name__ = name
    return multiclass_loss(fn, name, convex=convex, bounded=bounded, params=params)

"""The CallableLoss class: the Loss protocol for a multi-class loss ℓ(h, y) = fn(h, y) given by a user callable.

Built by :func:`theorylab.losses.callable_loss.multiclass_loss` (which checks the callable) and re-exported there.
C(h, p) = Σ_y p_y fn(h, y) by one call of ``fn`` on the score rows repeated per label (terms with p_y = 0 left
out); gradients by central differences; C*(p) by :func:`~theorylab.losses.callable_risks.minimize_conditional_risk`.

References: A. Tewari, P. L. Bartlett, "On the Consistency of Multiclass Classification Methods", JMLR 8, 2007
(multi-class conditional risks); J. Nocedal, S. J. Wright, "Numerical Optimization", 2nd ed., Springer, 2006
(central differences, eq. (8.7)).
"""
from __future__ import annotations

import numpy as np

from .._validation import (InputError, check_generator, check_integer, check_no_nan, check_probability, on_host,
                           real_namespace)
from .base import Loss
from .callable_risks import minimize_conditional_risk
from .compsum_values import _check_scores_labels

__all__ = ["CallableLoss"]

_EPS_FD = float(np.finfo(np.float64).eps) ** (1.0 / 3.0)


def _risk_rows(fn, P, H):
    """Σ_y P_y fn(H, y) over the broadcast leading axes of P and H (..., n): one call of fn, rows repeated."""
    P, H = np.broadcast_arrays(np.asarray(P, dtype=np.float64), np.asarray(H, dtype=np.float64))
    shape, n = H.shape[:-1], H.shape[-1]
    Hf = H.reshape(-1, n)
    K = Hf.shape[0]
    v = np.asarray(fn(np.repeat(Hf, n, axis=0), np.tile(np.arange(n), K)), dtype=np.float64).reshape(K, n)
    Pf = P.reshape(-1, n)
    with np.errstate(invalid="ignore", over="ignore"):
        out = np.where(Pf > 0.0, Pf * v, 0.0).sum(-1)
    return out.reshape(shape)


class CallableLoss(Loss):
    """A multi-class loss ℓ(h, y) = fn(h, y) from a vectorised callable, as a :class:`~theorylab.losses.base.Loss`.

    Construct it with :func:`multiclass_loss` (or :func:`comp_sum_from_psi`); the arguments are checked there.
    C(h, p) = Σ_y p_y fn(h, y); C*(p) = inf_h C(h, p) numerically (``has_closed_best_risk`` False). The callable
    works on NumPy float64: arrays of other libraries (on any device) are moved to the host once per call and the
    float64 results moved back once, into the input's namespace and onto its device.

    Parameters
    ----------
    fn : callable
        ``fn(scores, labels)`` → per-example losses; scores (m, n) float64, labels (m,) integers.
    name : str
        The loss name.
    convex : bool
        Declared convexity in the scores (a guarantee given by the caller).
    bounded : bool
        Declared boundedness above (a guarantee given by the caller).
    params : dict
        Parameters recorded for reports (e.g. a focal γ).
    n_classes : int or None
        The one number of classes ``fn`` is defined for, or None (any n).

    Attributes
    ----------
    fn : callable
        The user callable the loss was built from.

    References
    ----------
    A. Tewari, P. L. Bartlett, "On the Consistency of Multiclass Classification Methods", J. Mach. Learn. Res. 8,
    2007 (multi-class conditional risks C(h, p) = Σ_y p_y ℓ(h, y)).
    """

    def __init__(self, fn, name, convex, bounded, params, n_classes):
        self.fn, self.name = fn, name  # the user callable, as given
        self._convex, self._bounded = convex, bounded
        self._params, self._n = dict(params), n_classes

    @property
    def n_classes(self):
        """The number of classes the callable is declared for (None: any n ≥ 2).

        Returns
        -------
        int or None
            The declared number of classes.

        References
        ----------
        A. Tewari, P. L. Bartlett, "On the Consistency of Multiclass Classification Methods", J. Mach. Learn. Res.
        8, 2007.
        """
        return self._n

    @property
    def convex(self) -> bool:
        """The declared convexity (False unless the caller said ``convex=True``).

        Returns
        -------
        bool
            The declaration.

        References
        ----------
        P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer.
        Statist. Assoc. 101(473), 2006.
        """
        return self._convex

    @property
    def bounded(self) -> bool:
        """The declared boundedness above (False unless the caller said ``bounded=True``).

        Returns
        -------
        bool
            The declaration.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML
        2023, arXiv:2304.07288.
        """
        return self._bounded

    @property
    def params(self) -> dict:
        """The recorded parameters (a copy).

        Returns
        -------
        dict
            Parameter name → value.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML
        2023, arXiv:2304.07288.
        """
        return dict(self._params)

    @property
    def has_closed_best_risk(self) -> bool:
        """False: C* is a numerical minimisation.

        Returns
        -------
        bool
            False.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds: Characterization and Extensions", NeurIPS 2023.
        """
        return False

    def _check(self, scores, labels):
        _, h, lab = _check_scores_labels(scores, labels)
        h = np.asarray(h, dtype=np.float64)
        if self._n is not None and h.shape[1] != self._n:
            raise InputError(f"scores has {h.shape[1]} classes; this loss is declared for n_classes={self._n}")
        return h, np.asarray(lab)

    def _values(self, h, lab):
        out = np.asarray(self.fn(h, lab), dtype=np.float64)
        if out.shape != (h.shape[0],):
            raise InputError(f"fn returned shape {out.shape} on scores of shape {h.shape}; per-example losses of "
                             f"shape ({h.shape[0]},) are required")
        return out

    @on_host("scores", "labels", float64=True)  # user callables take NumPy: other arrays move to the host once
    def value(self, scores, labels):
        """ℓ(h, y) = fn(h, y) per row, as float64.

        Parameters
        ----------
        scores : array (m, n)
            Scores h (no NaN); converted to NumPy float64.
        labels : integer array (m,)
            Class indices in [0, n).

        Returns
        -------
        ndarray (m,)
            The losses.

        Raises
        ------
        InputError
            For malformed scores or labels, or a callable returning the wrong shape.

        References
        ----------
        A. Tewari, P. L. Bartlett, "On the Consistency of Multiclass Classification Methods", J. Mach. Learn. Res.
        8, 2007.
        """
        h, lab = self._check(scores, labels)
        return self._values(h, lab)

    @on_host("scores", "labels", float64=True)  # user callables take NumPy: other arrays move to the host once
    def value_and_grad(self, scores, labels):
        """(ℓ, ∂ℓ/∂h) with the gradient by central differences (numeric).

        ∂ℓ/∂h_j ≈ [fn(h + δ_j e_j, y) − fn(h − δ_j e_j, y)] / (2δ_j), δ_j = ε·max(1, |h_j|), ε = eps^{1/3} ≈ 6·10⁻⁶
        (the step scaled to |h|): error O(δ²·|∂³ℓ|) + O(eps·|ℓ|/δ), about 10⁻¹⁰ relative for smooth ℓ of O(1)
        scores; at a kink it is the average of the one-sided slopes. All 2n perturbations go to ``fn`` in one
        call.

        Parameters
        ----------
        scores : array (m, n)
            Scores h (no NaN).
        labels : integer array (m,)
            Class indices in [0, n).

        Returns
        -------
        loss : ndarray (m,)
            The losses.
        grad : ndarray (m, n)
            The central-difference gradients.

        Raises
        ------
        InputError
            For malformed scores or labels.

        References
        ----------
        J. Nocedal, S. J. Wright, "Numerical Optimization", 2nd ed., Springer, 2006 (central differences,
        eq. (8.7), and the step choice ε ∝ eps^{1/3}, §8.1).
        """
        h, lab = self._check(scores, labels)
        m, n = h.shape
        v = self._values(h, lab)
        step = _EPS_FD * np.maximum(1.0, np.abs(h))
        E = np.eye(n)[:, None, :] * step[None, :, :]  # (n, m, n): perturbation j of row i
        stack = np.concatenate([h[None] + E, h[None] - E]).reshape(2 * n * m, n)
        w = np.asarray(self.fn(stack, np.tile(lab, 2 * n)), dtype=np.float64).reshape(2, n, m)
        grad = ((w[0] - w[1]) / (2.0 * step.T)).T
        return v, grad

    @on_host("p", "scores", float64=True)  # user callables take NumPy: other arrays move to the host once
    def conditional_risk(self, p, scores):
        """C(h, p) = Σ_y p_y fn(h, y), vectorised over the broadcast leading axes (terms with p_y = 0 left out).

        Parameters
        ----------
        p : array (..., n)
            Probability vectors.
        scores : array (..., n)
            Scores (no NaN), leading axes broadcastable with p.

        Returns
        -------
        ndarray or float
            The conditional risks (a float for one vector).

        Raises
        ------
        InputError
            For invalid probabilities, NaN scores, unequal class counts or non-broadcastable shapes.

        References
        ----------
        A. Tewari, P. L. Bartlett, "On the Consistency of Multiclass Classification Methods", J. Mach. Learn. Res.
        8, 2007 (the conditional risk).
        """
        P, H = self._check_p_h(p, scores)
        out = _risk_rows(self.fn, P, H)
        return float(out) if out.ndim == 0 else out

    def _check_p_h(self, p, scores):
        xp, (P, H) = real_namespace(p=p, scores=scores)
        check_no_nan("scores", H, xp)
        if P.ndim < 1 or H.ndim < 1 or P.shape[-1] != H.shape[-1] or P.shape[-1] < 2:
            raise InputError(f"p has {P.shape[-1] if P.ndim else 0} classes and scores has "
                             f"{H.shape[-1] if H.ndim else 0}; equal numbers >= 2 are required")
        check_probability("p", P, xp)
        if self._n is not None and P.shape[-1] != self._n:
            raise InputError(f"p has {P.shape[-1]} classes; this loss is declared for n_classes={self._n}")
        try:
            np.broadcast_shapes(tuple(P.shape), tuple(H.shape))
        except ValueError:
            raise InputError(f"p has shape {tuple(P.shape)} and scores has shape {tuple(H.shape)}; broadcastable "
                             "leading axes are required") from None
        return np.asarray(P, dtype=np.float64), np.asarray(H, dtype=np.float64)

    def _check_p(self, p):
        xp, p = check_probability("p", p)
        if self._n is not None and p.shape[-1] != self._n:
            raise InputError(f"p has {p.shape[-1]} classes; this loss is declared for n_classes={self._n}")
        return np.asarray(p, dtype=np.float64)

    def conditional_risk_rows(self, P, H):
        """:meth:`conditional_risk` on NumPy float64 rows without checks (the searches' hot loops).

        Parameters
        ----------
        P : ndarray (..., n)
            Probability rows.
        H : ndarray (..., n)
            Score rows, broadcastable with P.

        Returns
        -------
        ndarray
            The conditional risks.

        References
        ----------
        A. Tewari, P. L. Bartlett, "On the Consistency of Multiclass Classification Methods", J. Mach. Learn. Res.
        8, 2007.
        """
        return _risk_rows(self.fn, P, H)

    def _minimize(self, p, rng, n_random):
        return minimize_conditional_risk(self.conditional_risk_rows, p, n_random=n_random, rng=rng, polish=True)

    @on_host("p", float64=True)  # user callables take NumPy: other arrays move to the host once
    def best_conditional_risk(self, p, *, n_random: int = 2, rng=None):
        """C*(p) = inf_h C(h, p), numerically, per probability vector (−inf when C is unbounded below).

        :func:`~theorylab.losses.callable_risks.minimize_conditional_risk`: probes along rays (bases 0 and
        log p, directions ±1_S and log(p + 10⁻³), scales up to 10⁸: an infimum at infinity, as for
        cross-entropy at a p with zeros), L-BFGS-B with central-difference gradients from the best probe, h = 0,
        log p and ``n_random`` random starts, then a Nelder–Mead polish. An upper estimate of C*.

        Parameters
        ----------
        p : array (n,) or (..., n)
            Probability vector(s).
        n_random : int, default 2
            Random starts per vector (≥ 0).
        rng : numpy.random.Generator, optional
            For the random starts (``default_rng(0)`` per vector when None: reproducible).

        Returns
        -------
        float or ndarray
            C*(p) (a float for one vector).

        Raises
        ------
        InputError
            For invalid probabilities, n_random or rng.

        References
        ----------
        P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer.
        Statist. Assoc. 101(473), 2006 (H(η) = inf_α C_η(α), §2).
        J. Nocedal, S. J. Wright, "Numerical Optimization", 2nd ed., Springer, 2006 (L-BFGS-B, §17.4).
        """
        P = self._check_p(p)
        n_random = check_integer("n_random", n_random, minimum=0)
        rng = check_generator("rng", rng, optional=True)
        return self._best_rows(P, n_random, rng)

    def _best_rows(self, P, n_random=2, rng=None):
        flat = P.reshape(-1, P.shape[-1])
        out = np.array([self._minimize(row, np.random.default_rng(0) if rng is None else rng, n_random)[0]
                        for row in flat])
        return float(out[0]) if P.ndim == 1 else out.reshape(P.shape[:-1])

    def best_conditional_risk_rows(self, P):
        """:meth:`best_conditional_risk` on NumPy float64 rows without checks (a minimisation per row).

        Parameters
        ----------
        P : ndarray (..., n)
            Probability rows.

        Returns
        -------
        ndarray or float
            C*(p) per row.

        References
        ----------
        P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer.
        Statist. Assoc. 101(473), 2006.
        """
        return self._best_rows(np.asarray(P, dtype=np.float64))

    @on_host("p", float64=True)  # user callables take NumPy: other arrays move to the host once
    def best_scores(self, p):
        """Scores attaining :meth:`best_conditional_risk` for one p (large finite entries: an infimum at infinity).

        Parameters
        ----------
        p : array (n,)
            One probability vector.

        Returns
        -------
        ndarray (n,)
            The minimising scores found.

        Raises
        ------
        InputError
            For an invalid p or more than one vector.

        References
        ----------
        P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer.
        Statist. Assoc. 101(473), 2006.
        """
        P = self._check_p(p)
        if P.ndim != 1:
            raise InputError(f"p has shape {P.shape}; one probability vector (n,) is allowed")
        return self._minimize(P, np.random.default_rng(0), 2)[1]

    def __repr__(self) -> str:
        return f"CallableLoss({self.name!r})"

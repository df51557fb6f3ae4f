"""A :class:`~theorylab.losses.callable_base.CallableLoss` with an analytic gradient and, optionally, an exact C*.

The losses of :mod:`.stablemax`, :mod:`.pass_at_n` and :mod:`.zloss` are given by vectorised NumPy functions of
(scores, labels); this class gives them the one Loss protocol of :mod:`theorylab.losses.base`: ``value`` (the
function), ``value_and_grad`` (the closed-form gradient instead of central differences), the conditional risk
C(h, p) = Σ_y p_y ℓ(h, y) (as for every CallableLoss) and the best conditional risk C*(p) — a closed form or
an exact one-dimensional solver where the module has one (``has_closed_best_risk`` True), else the numerical
minimisation of CallableLoss.

References: A. Tewari, P. L. Bartlett, "On the Consistency of Multiclass Classification Methods", JMLR 8, 2007
(conditional risks of multi-class losses).
"""
from __future__ import annotations

import numpy as np

from .callable_base import CallableLoss
from .callable_loss import _check_callable

__all__ = ["AnalyticLoss"]


class AnalyticLoss(CallableLoss):
    """A multi-class loss with values ``fn(h, y)``, gradients ``grad_fn(h, y)`` and optionally C* = ``best_fn(P)``.

    Parameters
    ----------
    fn : callable
        ``fn(scores, labels)`` → losses (m,), scores (m, n) float64.
    grad_fn : callable
        ``grad_fn(scores, labels)`` → (losses (m,), gradients (m, n)).
    name : str
        The loss name.
    convex, bounded : bool
        Declarations (guarantees; False claims nothing).
    params : dict
        The loss's parameters.
    best_fn : callable, optional
        ``best_fn(P)`` → C*(p) for probability rows P (..., n), exact; None: numerical (CallableLoss).
    risk_fn : callable, optional
        ``risk_fn(P, H)`` → C(h, p) for broadcast float64 rows (..., n), a direct vectorised form (each score
        row evaluated once, not once per label); None: Σ_y p_y fn(h, y) as in CallableLoss.
    risk1_fn, best1_fn : callable, optional
        The same for one row given as Python lists (``risk1_fn(p, h)``, ``best1_fn(p)`` → float): the
        calibration searches evaluate single rows thousands of times, where NumPy's per-call overhead dominates.

    References
    ----------
    A. Tewari, P. L. Bartlett, "On the Consistency of Multiclass Classification Methods", J. Mach. Learn. Res. 8,
    2007 (the conditional risk C(h, p) = Σ_y p_y ℓ(h, y) and its infimum).
    """

    def __init__(self, fn, grad_fn, name, convex, bounded, params, best_fn=None, risk_fn=None, risk1_fn=None,
                 best1_fn=None):
        _check_callable(fn, (3, 4))
        super().__init__(fn, name, convex, bounded, params, None)
        self.grad_fn, self._best_fn, self._risk_fn = grad_fn, best_fn, risk_fn
        self._risk1, self._best1 = risk1_fn, best1_fn

    def conditional_risk(self, p, scores):
        """C(h, p) = Σ_y p_y ℓ(h, y), vectorised over the broadcast leading axes (terms with p_y = 0 left out).

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
        if self._risk_fn is None:
            return super().conditional_risk(p, scores)
        P, H = self._check_p_h(p, scores)
        out = self.conditional_risk_rows(P, H)
        return float(out) if np.ndim(out) == 0 else out

    def conditional_risk_rows(self, P, H):
        """:meth:`conditional_risk` on NumPy float64 rows without checks (the direct form where there is one).

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
        if self._risk_fn is None:
            return super().conditional_risk_rows(P, H)
        if self._risk1 is not None and np.ndim(P) == 1 and np.ndim(H) == 1:
            return np.float64(self._risk1(np.asarray(P, dtype=np.float64).tolist(),
                                          np.asarray(H, dtype=np.float64).tolist()))
        P, H = np.broadcast_arrays(np.asarray(P, dtype=np.float64), np.asarray(H, dtype=np.float64))
        return np.asarray(self._risk_fn(P, H), dtype=np.float64)

    @property
    def has_closed_best_risk(self) -> bool:
        """True when C* is computed exactly (closed form or a one-dimensional solver), not by a generic search.

        Returns
        -------
        bool
            Whether ``best_fn`` was given.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds: Characterization and Extensions", NeurIPS 2023.
        """
        return self._best_fn is not None

    def value_and_grad(self, scores, labels):
        """(ℓ, ∂ℓ/∂h) with the closed-form gradient documented by the loss's module.

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
            The gradients with respect to the scores.

        Raises
        ------
        InputError
            For malformed scores or labels.

        References
        ----------
        A. Tewari, P. L. Bartlett, "On the Consistency of Multiclass Classification Methods", J. Mach. Learn. Res.
        8, 2007.
        """
        h, lab = self._check(scores, labels)
        v, g = self.grad_fn(h, lab)
        return np.asarray(v, dtype=np.float64), np.asarray(g, dtype=np.float64)

    def best_conditional_risk(self, p, *, n_random: int = 2, rng=None):
        """C*(p) = inf_h C(h, p): exact when the loss has a solver, else numerical (CallableLoss).

        Parameters
        ----------
        p : array (n,) or (..., n)
            Probability vector(s).
        n_random : int, default 2
            Random starts of the numerical search (unused when exact).
        rng : numpy.random.Generator, optional
            For the numerical search's random starts (unused when exact).

        Returns
        -------
        float or ndarray
            C*(p).

        Raises
        ------
        InputError
            For invalid probabilities.

        References
        ----------
        P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer.
        Statist. Assoc. 101(473), 2006 (H(η) = inf_α C_η(α), §2).
        """
        if self._best_fn is None:
            return super().best_conditional_risk(p, n_random=n_random, rng=rng)
        P = self._check_p(p)
        out = np.asarray(self._best_fn(P), dtype=np.float64)
        return float(out) if out.ndim == 0 else out

    def best_conditional_risk_rows(self, P):
        """:meth:`best_conditional_risk` on NumPy float64 rows without checks.

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
        if self._best_fn is None:
            return super().best_conditional_risk_rows(P)
        if self._best1 is not None and np.ndim(P) == 1:
            return np.float64(self._best1(np.asarray(P, dtype=np.float64).tolist()))
        return np.asarray(self._best_fn(np.asarray(P, dtype=np.float64)), dtype=np.float64)

"""The one Loss protocol: the abstract base class every loss of :mod:`theorylab.losses` derives from.

A loss ℓ(h, x, y) of scores h and a label y is described by

* its declared properties: ``name``, ``n_classes`` (2 for binary margin losses, None for any number of
  classes), ``is_margin`` (binary margin loss φ(α) of α = y·f(x) versus a multi-class loss of a score
  vector), ``convex`` (True: convex in the scores), ``bounded`` (True: sup ℓ < ∞), ``constrained`` (True:
  scores live on Σ_y h_y = 0), ``params`` (its parameters), ``tight_search`` (which search of
  :mod:`theorylab.theory.tight_transform` computes its tight error transformation);
* its values and gradients on score arrays: ``value(...)`` and ``value_and_grad(...)``. Convention: a binary
  margin loss takes margins, ``value(alpha)``, ``derivative(alpha)`` and ``value_and_grad(alpha)`` (α = y·f,
  elementwise); a multi-class loss takes ``value(scores, labels)`` and ``value_and_grad(scores, labels)`` with
  scores (batch, n) and integer labels (batch,);
* its conditional risks for a class-probability vector p: ``conditional_risk(p, scores)`` = Σ_y p_y ℓ(h, y)
  and ``best_conditional_risk(p)`` = inf_h of it (closed form where known, numeric otherwise), plus the
  unchecked NumPy row versions the numerical searches run in hot loops
  (``conditional_risk_rows``/``best_conditional_risk_rows``, ``has_closed_best_risk``);
* ``sympy_form()``: a sympy expression of the loss where one exists (its variable documented by each class),
  else None.
"""
from __future__ import annotations

import abc

__all__ = ["Loss", "TIGHT_SEARCHES"]

TIGHT_SEARCHES = ("margin", "comp_sum", "joint")
"""The tight-transform searches a loss can declare: the one-dimensional binary margin search, the
structured comp-sum search (closed-form inner infimum), the generic joint search over (p, h)."""


class Loss(abc.ABC):
    """A loss function ℓ(h, x, y): declared properties, values and gradients, conditional risks.

    Subclasses set the attribute ``name`` (str) and implement the abstract members; the defaults here
    cover what is common (``params`` empty, ``constrained`` False, the row methods falling back to the
    checked ones).

    References
    ----------
    P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer.
    Statist. Assoc. 101(473), 2006 (conditional risk and its infimum, §2).
    A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds: Characterization and Extensions", NeurIPS 2023
    (conditional regrets of multi-class losses).
    """

    name: str

    @property
    def n_classes(self):
        """The number of classes the loss is defined for: 2 (binary margin losses) or None (any n ≥ 2; the default).

        Returns
        -------
        int or None
            2 or None.

        References
        ----------
        P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer.
        Statist. Assoc. 101(473), 2006.
        """
        return None

    @property
    def is_margin(self) -> bool:
        """True for a binary margin loss φ(α) of the margin α = y·f(x) (``n_classes == 2``).

        Returns
        -------
        bool
            Whether the loss is a binary margin loss.

        References
        ----------
        P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer.
        Statist. Assoc. 101(473), 2006 (margin losses, §2).
        """
        return self.n_classes == 2

    @property
    @abc.abstractmethod
    def convex(self) -> bool:
        """True when the loss is convex in the scores (a guarantee; False claims nothing).

        Returns
        -------
        bool
            The declared convexity.

        References
        ----------
        P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer.
        Statist. Assoc. 101(473), 2006 (convex surrogates, Theorem 2).
        """

    @property
    @abc.abstractmethod
    def bounded(self) -> bool:
        """True when the loss is bounded above on its score domain (a guarantee; False claims nothing).

        Returns
        -------
        bool
            The declared boundedness.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
        ICML 2023, arXiv:2304.07288 (bounded comp-sum losses, τ > 1).
        """

    @property
    def constrained(self) -> bool:
        """True when the scores live on Σ_y h_y = 0 (constrained losses); False by default.

        Returns
        -------
        bool
            Whether the score space is the sum-to-zero hyperplane.

        References
        ----------
        Y. Lee, Y. Lin, G. Wahba, "Multicategory Support Vector Machines", J. Amer. Statist. Assoc. 99(465),
        2004 (the sum-to-zero constraint).
        """
        return False

    @property
    def params(self) -> dict:
        """The loss's parameters by name (empty when it has none).

        Returns
        -------
        dict
            Parameter name → value.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications",
        ICML 2023, arXiv:2304.07288 (parametrised families such as comp-sum τ).
        """
        return {}

    @property
    def tight_search(self) -> str:
        """Which tight-transform search computes T(t) for this loss: one of :data:`TIGHT_SEARCHES`; by default
        "joint" (the generic search over (p, h), which needs only the protocol's risk methods).

        Returns
        -------
        str
            "margin", "comp_sum" or "joint".

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds: Characterization and Extensions", NeurIPS 2023
        (the error transformation).
        """
        return "joint"

    @abc.abstractmethod
    def value(self, *args):
        """The loss values (margin losses: ``value(alpha)``; multi-class: ``value(scores, labels)``).

        Parameters
        ----------
        *args : array
            ``alpha`` (margins) or ``scores, labels``, as the class documents.

        Returns
        -------
        array
            The losses.

        References
        ----------
        P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer.
        Statist. Assoc. 101(473), 2006.
        """

    @abc.abstractmethod
    def value_and_grad(self, *args):
        """(values, gradients with respect to the scores or margins), the same arguments as :meth:`value`.

        Parameters
        ----------
        *args : array
            ``alpha`` or ``scores, labels``.

        Returns
        -------
        tuple of arrays
            The losses and their (sub)gradients.

        References
        ----------
        P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer.
        Statist. Assoc. 101(473), 2006.
        """

    @abc.abstractmethod
    def conditional_risk(self, p, scores):
        """C(h, p) = Σ_y p_y ℓ(h, y) for class-probability vector(s) p (last axis: classes).

        Parameters
        ----------
        p : array (..., n)
            Conditional label probabilities (binary margin losses: p = (P(y=−1), P(y=+1))).
        scores : array
            The scores h (..., n) (binary margin losses: the real score f, shape (...)).

        Returns
        -------
        array or float
            The conditional risks.

        References
        ----------
        P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer.
        Statist. Assoc. 101(473), 2006 (the conditional φ-risk C_η(α), §2).
        """

    @abc.abstractmethod
    def best_conditional_risk(self, p):
        """C*(p) = inf_h C(h, p) (closed form where known, numeric otherwise).

        Parameters
        ----------
        p : array (..., n)
            Conditional label probabilities.

        Returns
        -------
        array or float
            The best conditional risks.

        References
        ----------
        P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer.
        Statist. Assoc. 101(473), 2006 (H(η) = inf_α C_η(α), §2).
        """

    @property
    def has_closed_best_risk(self) -> bool:
        """True when :meth:`best_conditional_risk` is a closed form (fast on many rows); True by default.

        Returns
        -------
        bool
            Whether C* is closed-form.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds: Characterization and Extensions", NeurIPS 2023.
        """
        return True

    def conditional_risk_rows(self, P, H):
        """:meth:`conditional_risk` on NumPy float64 rows, for hot loops (subclasses skip the checks).

        Parameters
        ----------
        P : ndarray (..., n)
            Probability rows.
        H : ndarray (..., n)
            Score rows.

        Returns
        -------
        ndarray
            The conditional risks.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds: Characterization and Extensions", NeurIPS 2023.
        """
        return self.conditional_risk(P, H)

    def best_conditional_risk_rows(self, P):
        """:meth:`best_conditional_risk` on NumPy float64 rows, for hot loops (subclasses skip the checks).

        Parameters
        ----------
        P : ndarray (..., n)
            Probability rows.

        Returns
        -------
        ndarray
            The best conditional risks.

        References
        ----------
        A. Mao, M. Mohri, Y. Zhong, "H-Consistency Bounds: Characterization and Extensions", NeurIPS 2023.
        """
        return self.best_conditional_risk(P)

    def sympy_form(self):
        """The loss as a sympy expression (its variable documented by the class), or None; None by default.

        Returns
        -------
        sympy.Expr or None
            The symbolic loss.

        References
        ----------
        P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer.
        Statist. Assoc. 101(473), 2006.
        """
        return None

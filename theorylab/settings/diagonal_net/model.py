"""Diagonal linear networks: parameters, predictor, training loss, data checks and a sparse-regression generator.

Two parameterisations of a linear predictor ``β ∈ R^d`` (Woodworth et al. 2020, Sec. 4):

* ``"uu-vv"`` (A): ``β = u⊙u − v⊙v``, initialised at ``u₀ = v₀ = α𝟏`` so that ``β₀ = 0``;
* ``"uv"`` (B): ``β = u⊙v`` (Wu & Su 2023; Even et al. 2023).

Training loss ``L(β) = (1/2n)‖Xβ − y‖²``.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from ..._validation import InputError, check_generator, check_integer, check_real, real_namespace

PARAMETRIZATIONS = ("uu-vv", "uv")
_MODE = {"uu-vv": 0, "uv": 1}
_CHUNK = 1 << 14  # SGD batch indices are drawn in chunks of this many steps (same for both paths)
_BLOWUP = 1e30  # a (batch) loss above this × max(1, initial loss) is a divergence


class DivergenceError(InputError):
    """The step size makes (S)GD diverge; the message names the step, the iteration and the loss.

    A subclass of :class:`InputError` (the step size is a user input).

    References
    ----------
    L. Wu, W. J. Su, "The Implicit Regularization of Dynamical Stability in Stochastic Gradient Descent", ICML 2023,
    arXiv:2305.17490 (stability limits of the step size).
    """


@dataclasses.dataclass
class DiagonalParams:
    """Parameters ``(u, v)`` of a diagonal linear network and which parameterisation they use.

    Parameters
    ----------
    u : array (d,)
        First factor.
    v : array (d,)
        Second factor.
    parametrization : {"uu-vv", "uv"}, default "uu-vv"
        β = u⊙u − v⊙v (A) or β = u⊙v (B).

    Raises
    ------
    InputError
        For an unknown parametrization.

    References
    ----------
    B. Woodworth, S. Gunasekar, J. D. Lee, E. Moroshko, P. Savarese, I. Golan, D. Soudry, N. Srebro, "Kernel and Rich
    Regimes in Overparametrized Models", COLT 2020, arXiv:2002.09277, Sec. 4.
    L. Wu, W. J. Su, "The Implicit Regularization of Dynamical Stability in Stochastic Gradient Descent", ICML 2023,
    arXiv:2305.17490 (parameterisation B).
    """

    u: object
    v: object
    parametrization: str = "uu-vv"

    def __post_init__(self):
        _check_parametrization(self.parametrization)

    @property
    def beta(self):
        """The linear predictor: ``u⊙u − v⊙v`` for ``"uu-vv"``, ``u⊙v`` for ``"uv"``."""
        return predictor(self)


@dataclasses.dataclass
class Trajectory:
    """Result of :func:`run_dynamics`.

    ``log_a``/``log_b`` (when tracked) are ``Σ_k log|1 − c γ_k g_k|`` and ``Σ_k log|1 + c γ_k g_k|``
    per coordinate, with ``c = 2`` for ``"uu-vv"`` and ``c = 1`` for ``"uv"`` (the factors of the exact
    multiplicative identity, Pesme et al. 2021 / Even et al. 2023).

    Parameters
    ----------
    beta : array (d,)
        Final predictor β.
    params : DiagonalParams
        Final parameters.
    log_a : array (d,) or None
        Σ_k log|1 − c γ_k g_k| (when tracked).
    log_b : array (d,) or None
        Σ_k log|1 + c γ_k g_k| (when tracked).
    n_steps : int
        Number of steps run.

    References
    ----------
    S. Pesme, L. Pillaud-Vivien, N. Flammarion, "Implicit Bias of SGD for Diagonal Linear Networks: a Provable Benefit
    of Stochasticity", NeurIPS 2021, arXiv:2106.09524.
    M. Even, S. Pesme, S. Gunasekar, N. Flammarion, "(S)GD over Diagonal Linear Networks: Implicit Regularisation,
    Large Stepsizes and Edge of Stability", NeurIPS 2023.
    """

    beta: object
    params: DiagonalParams
    log_a: object = None
    log_b: object = None
    n_steps: int = 0


def predictor(params: DiagonalParams):
    """β of a :class:`DiagonalParams`: ``u⊙u − v⊙v`` (A) or ``u⊙v`` (B).

    Parameters
    ----------
    params : DiagonalParams
        The network parameters.

    Returns
    -------
    array (d,)
        The linear predictor β.

    References
    ----------
    B. Woodworth, S. Gunasekar, J. D. Lee, E. Moroshko, P. Savarese, I. Golan, D. Soudry, N. Srebro, "Kernel and Rich
    Regimes in Overparametrized Models", COLT 2020, arXiv:2002.09277, Sec. 4.
    """
    if not isinstance(params, DiagonalParams):
        raise InputError(f"params={type(params).__name__} is not allowed; a DiagonalParams is")
    if params.parametrization == "uu-vv":
        return params.u * params.u - params.v * params.v
    return params.u * params.v


def train_loss(X, y, beta) -> float:
    """L(β) = (1/2n)‖Xβ − y‖² (array API).

    Parameters
    ----------
    X : array (n, d)
        Design.
    y : array (n,)
        Targets.
    beta : array (d,)
        Predictor.

    Returns
    -------
    float
        The training loss.

    References
    ----------
    B. Woodworth, S. Gunasekar, J. D. Lee, E. Moroshko, P. Savarese, I. Golan, D. Soudry, N. Srebro, "Kernel and Rich
    Regimes in Overparametrized Models", COLT 2020, arXiv:2002.09277, Sec. 4.
    """
    xp, X, y = check_data(X, y)
    _, (beta,) = real_namespace(beta=beta)
    if tuple(beta.shape) != (X.shape[1],):
        raise InputError(f"beta has shape {tuple(beta.shape)}; shape ({X.shape[1]},) is required")
    r = X @ beta - y
    return float(xp.sum(r * r)) / (2 * X.shape[0])


# ----------------------------------------------------------------------------- validation
def check_data(X, y):
    """Validate a design ``X`` (n × d) and targets ``y`` (n,); return them (array-API, float).

    Parameters
    ----------
    X : array (n, d)
        Design (finite).
    y : array (n,)
        Targets (finite).

    Returns
    -------
    xp : module
        The array-API namespace.
    X : array (n, d)
        Real floating-point design.
    y : array (n,)
        Real floating-point targets.

    Raises
    ------
    InputError
        For wrong shapes or non-finite entries.

    References
    ----------
    B. Woodworth, S. Gunasekar, J. D. Lee, E. Moroshko, P. Savarese, I. Golan, D. Soudry, N. Srebro, "Kernel and Rich
    Regimes in Overparametrized Models", COLT 2020, arXiv:2002.09277, Sec. 4.
    """
    xp, (X, y) = real_namespace(X=X, y=y)
    if X.ndim != 2:
        raise InputError(f"X has shape {tuple(X.shape)}; a 2-D array (n samples × d features) is allowed")
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise InputError(f"y has shape {tuple(y.shape)}; a 1-D array of length n={X.shape[0]} is allowed")
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise InputError(f"X has shape {tuple(X.shape)}; at least one sample and one feature are needed")
    for name, a in (("X", X), ("y", y)):
        if not bool(xp.all(xp.isfinite(a))):
            raise InputError(f"{name} contains NaN or inf; finite real numbers are allowed")
    return xp, X, y


def _check_steps(n_steps) -> int:
    if isinstance(n_steps, bool) or not isinstance(n_steps, (int, np.integer)) or n_steps < 0:
        raise InputError(f"n_steps={n_steps!r} is not allowed; it must be an integer >= 0")
    return int(n_steps)


def _check_parametrization(p: str) -> int:
    if p not in _MODE:
        raise InputError(f"parametrization={p!r} is not allowed; choose one of {', '.join(PARAMETRIZATIONS)}")
    return _MODE[p]


def _check_batch(batch_size, n) -> int:
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
            or not 1 <= batch_size <= n:
        raise InputError(f"batch_size={batch_size!r} is not allowed; it must be an integer in [1, n={n}]")
    return int(batch_size)


def _diverged(step, k, n_steps, loss):
    return DivergenceError(
        f"step={step!r} diverges: the training loss reached {loss:.3g} (not finite or above the blow-up "
        f"level) at iteration {k} of {n_steps}; use a smaller step (or a warm-up)")



def sparse_regression(n, d, s, rng, n_test=0, value=1.0):
    """Noiseless sparse regression: x ~ N(0, I_d), β* = value·(1,…,1,0,…,0) (s ones), y = Xβ*.

    Parameters
    ----------
    n : int
        Training samples ≥ 1.
    d : int
        Dimension ≥ 1.
    s : int
        Sparsity, 1 ≤ s ≤ d.
    rng : numpy.random.Generator
        Random source.
    n_test : int, default 0
        Test samples ≥ 0.
    value : float, default 1.0
        Value of the non-zero coefficients.

    Returns
    -------
    tuple
        (X, y, beta_star, X_test, y_test); the test arrays have ``n_test`` rows.

    Raises
    ------
    InputError
        For invalid n, d, s, rng, n_test or value.

    References
    ----------
    B. Woodworth, S. Gunasekar, J. D. Lee, E. Moroshko, P. Savarese, I. Golan, D. Soudry, N. Srebro, "Kernel and Rich
    Regimes in Overparametrized Models", COLT 2020, arXiv:2002.09277, Sec. 4.
    """
    for name, v in (("n", n), ("d", d), ("s", s)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise InputError(f"{name}={v!r} is not allowed; it must be an integer >= 1")
    if s > d:
        raise InputError(f"s={s!r} is not allowed; it must be <= d={d}")
    rng = check_generator("rng", rng)
    n_test = check_integer("n_test", n_test, minimum=0)
    value = check_real("value", value, allow_inf=False, allowed="a finite real number")
    beta = np.zeros(d)
    beta[:s] = value
    X = rng.standard_normal((n, d))
    Xt = rng.standard_normal((n_test, d))
    return X, X @ beta, beta, Xt, Xt @ beta


__all__ = ["PARAMETRIZATIONS", "DivergenceError", "DiagonalParams", "Trajectory", "predictor", "train_loss",
           "check_data", "sparse_regression"]

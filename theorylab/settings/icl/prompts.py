"""In-context linear regression: the prompt law, its sampler, and the checks of its arguments.

Prompt model (the "unified sandbox" of ``shared/claims/in-context-regression.md`` §1): covariates
``x ~ N(0, Σ)`` (or ``U(-a, a)^d``), task ``w ~ N(0, ψ² I)`` (or ``N(0, ψ² Σ⁻¹)``), labels
``y = f(wᵀx) + ε`` with ``ε ~ N(0, σ²)`` on context and query (``f`` the identity unless a link is given).

Arrays and devices (one way, for every function of this subpackage that samples or trains): the sampler
draws with a ``numpy.random.Generator`` **on the host**, in float64, exactly as for NumPy, and moves the batch
**once** into the target namespace, device and dtype (``xp=``, ``device=``, ``dtype=``; by default those of a
non-NumPy ``covariance``, else NumPy float64). The same seed therefore gives the same prompts on every backend
(rounded once to float32 when asked), and NumPy results are unchanged. The array API has no random generator,
so drawing on the device would need one code path per library and give different prompts per backend; the
one host-to-device copy per batch is the price (no device-to-host synchronisation is involved).
:class:`Prompts` holds arrays of any namespace; its methods and the estimators, the reduced predictor and the
training loop compute in the namespace and on the device of ``Prompts.X``.
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np
from scipy.stats import ortho_group

from ..._validation import (InputError, array_device, check_choice, check_integer, check_no_nan,
                            check_nonnegative, check_positive, real_namespace)
from ..._validation_arrays import _is_foreign_array

WEIGHT_PRIORS = ("isotropic", "inverse-covariance")
INPUT_LAWS = ("gaussian", "uniform")


# --------------------------------------------------------------------------------------------- checks


def check_covariance(covariance, d: int | None = None):
    """Return ``(xp, Σ)`` after checking that Σ is a square, symmetric, positive definite matrix.

    ``covariance=None`` means the identity of size ``d``. Raises :class:`InputError` (one line) for a
    non-square, non-symmetric, NaN-containing or not positive definite matrix, or a size other than ``d``.

    Parameters
    ----------
    covariance : (d, d) array or None
        The matrix Σ; None for the identity of size d.
    d : int, optional
        Required size (and the size of the identity when covariance is None).

    Returns
    -------
    xp : module
        Array-API namespace of Σ.
    Sigma : array (d, d)
        Σ as a real array.

    Raises
    ------
    InputError
        For the listed defects.

    References
    ----------
    A. Mahankali, T. B. Hashimoto, T. Ma, "One Step of Gradient Descent is Provably the Optimal In-Context Learner
    with One Layer of Linear Self-Attention", ICLR 2024, arXiv:2307.03576.
    K. Ahn, X. Cheng, H. Daneshmand, S. Sra, "Transformers learn to implement preconditioned gradient descent for
    in-context learning", NeurIPS 2023, arXiv:2306.00297, Theorem 1.
    R. Zhang, S. Frei, P. L. Bartlett, "Trained Transformers Learn Linear Models In-Context", JMLR 25(49), 2024,
    arXiv:2306.09927, Theorem 4.1.
    Derivation worked out in the project's claim notes (shared/claims/in-context-regression.md).
    """
    if covariance is None:
        if d is None:
            raise InputError("covariance=None needs the dimension d; pass a (d, d) matrix")
        d = check_integer("d", d)
        return _np_xp(), np.eye(d)
    xp, (cov,) = real_namespace(covariance=covariance)
    if cov.ndim != 2 or cov.shape[0] != cov.shape[1] or cov.shape[0] < 1:
        raise InputError(f"covariance has shape {tuple(cov.shape)}; a square (d, d) matrix with d >= 1 is allowed")
    if d is not None and cov.shape[0] != d:
        raise InputError(f"covariance has shape {tuple(cov.shape)} but d={d}; a ({d}, {d}) matrix is allowed")
    check_no_nan("covariance", cov, xp)
    if not bool(xp.all(xp.isfinite(cov))):
        raise InputError("covariance has infinite entries; a finite positive definite matrix is allowed")
    scale = float(xp.max(xp.abs(cov)))
    if float(xp.max(xp.abs(cov - cov.T))) > 1e-10 * max(scale, 1.0):
        raise InputError("covariance is not symmetric; a symmetric positive definite matrix is allowed")
    lam_min = float(xp.min(xp.linalg.eigvalsh(cov)))
    if not lam_min > 0:
        raise InputError(f"covariance is not positive definite (smallest eigenvalue {lam_min:.3g}); "
                         "a positive definite matrix is allowed")
    return xp, cov


def _np_xp():
    from array_api_compat import array_namespace

    return array_namespace(np.zeros(1))


def _check_prompts(prompts, name="prompts"):
    if not isinstance(prompts, Prompts):
        raise InputError(f"{name}={type(prompts).__name__} is not allowed; a Prompts batch (sample_prompts) is")
    return prompts


# --------------------------------------------------------------------------------------------- prompts
@dataclasses.dataclass(frozen=True)
class Prompts:
    """A batch of ``B`` regression prompts (arrays of one array-API namespace, on one device, in one dtype).

    Attributes: ``X`` (B, n, d) context covariates, ``y`` (B, n) context labels, ``x_query`` (B, d),
    ``y_query`` (B,) the query label (kept out of the prompt matrix), ``w`` (B, d) the tasks. NumPy arrays from
    :func:`sample_prompts` by default; any namespace with ``xp=`` (see the module docstring).

    Parameters
    ----------
    X : ndarray (B, n, d)
        Context covariates.
    y : ndarray (B, n)
        Context labels.
    x_query : ndarray (B, d)
        Query covariates.
    y_query : ndarray (B,)
        Query labels.
    w : ndarray (B, d)
        Tasks.

    References
    ----------
    A. Mahankali, T. B. Hashimoto, T. Ma, "One Step of Gradient Descent is Provably the Optimal In-Context Learner
    with One Layer of Linear Self-Attention", ICLR 2024, arXiv:2307.03576.
    K. Ahn, X. Cheng, H. Daneshmand, S. Sra, "Transformers learn to implement preconditioned gradient descent for
    in-context learning", NeurIPS 2023, arXiv:2306.00297, Theorem 1.
    R. Zhang, S. Frei, P. L. Bartlett, "Trained Transformers Learn Linear Models In-Context", JMLR 25(49), 2024,
    arXiv:2306.09927, Theorem 4.1.
    Derivation worked out in the project's claim notes (shared/claims/in-context-regression.md).
    """

    X: np.ndarray
    y: np.ndarray
    x_query: np.ndarray
    y_query: np.ndarray
    w: np.ndarray

    @property
    def xp(self):
        """The array-API namespace of the arrays (``array_api_compat.numpy`` for NumPy arrays)."""
        from array_api_compat import array_namespace

        return array_namespace(self.X)

    @property
    def device(self):
        """The device of the arrays (``"cpu"`` for NumPy)."""
        return array_device(self.X)

    @property
    def n(self) -> int:
        """Context length n."""
        return self.X.shape[1]

    @property
    def d(self) -> int:
        """Dimension d."""
        return self.X.shape[2]

    def matrix(self) -> np.ndarray:
        """The prompt matrices ``Z`` (B, d+1, n+1): columns ``(x_i, y_i)`` and the query ``(x_q, 0)``.

        Returns
        -------
        array (B, d+1, n+1)
            Z, in the namespace, device and dtype of ``X``.

        References
        ----------
        R. Zhang, S. Frei, P. L. Bartlett, "Trained Transformers Learn Linear Models In-Context", JMLR 25(49), 2024,
        arXiv:2306.09927.
        """
        B, n, d = self.X.shape
        xp = self.xp
        top = xp.concat([xp.permute_dims(self.X, (0, 2, 1)), self.x_query[:, :, None]], axis=2)
        bottom = xp.concat([self.y, xp.zeros((B, 1), dtype=self.y.dtype, device=self.device)], axis=1)
        return xp.concat([top, bottom[:, None, :]], axis=1)

    def moment(self) -> np.ndarray:
        """``h = (1/n) Σ_i y_i x_i`` per prompt, shape (B, d).

        Returns
        -------
        array (B, d)
            h, in the namespace, device and dtype of ``X``.

        References
        ----------
        A. Mahankali, T. B. Hashimoto, T. Ma, "One Step of Gradient Descent is Provably the Optimal In-Context Learner
        with One Layer of Linear Self-Attention", ICLR 2024, arXiv:2307.03576.
        Derivation worked out in the project's claim notes (shared/claims/in-context-regression.md).
        """
        return (self.y[:, None, :] @ self.X)[:, 0, :] / self.n


def rotated_covariance(rng, eigenvalues) -> np.ndarray:
    """U diag(λ) Uᵀ with U a uniformly random orthogonal matrix: an anisotropic, randomly rotated Σ.

    The covariances of the experiments of Ahn et al. (2023); symmetrised, so that it passes
    :func:`check_covariance` exactly.

    Parameters
    ----------
    rng : numpy.random.Generator
        Random source (one Haar-distributed orthogonal matrix, :data:`scipy.stats.ortho_group`).
    eigenvalues : array-like (d,)
        The eigenvalues λ (positive for a covariance).

    Returns
    -------
    ndarray (d, d)
        Σ = U diag(λ) Uᵀ.

    References
    ----------
    K. Ahn, X. Cheng, H. Daneshmand, S. Sra, "Transformers learn to implement preconditioned gradient descent for
    in-context learning", NeurIPS 2023, arXiv:2306.00297 (experiments with rotated anisotropic covariances).
    """
    lam = np.asarray(eigenvalues, dtype=np.float64)
    U = ortho_group.rvs(lam.size, random_state=rng)
    S = (U * lam) @ U.T
    return 0.5 * (S + S.T)


def sample_prompts(n_prompts, n, d, rng, covariance=None, noise_var=0.0, weight_prior="isotropic", link=None,
                   weight_var=1.0, inputs="gaussian", input_range=1.0, *, xp=None, device=None,
                   dtype=None) -> Prompts:
    """Sample ``n_prompts`` independent in-context regression prompts.

    x_i, x_q ~ N(0, Σ) (``inputs="gaussian"``) or U(−a, a)^d (``inputs="uniform"``, a = input_range);
    w ~ N(0, ψ² I) (``weight_prior="isotropic"``) or N(0, ψ² Σ⁻¹) (``"inverse-covariance"``); y = f(wᵀx) + ε,
    ε ~ N(0, σ²) on context and query, f = link (a vectorised callable) or the identity.

    Parameters
    ----------
    n_prompts : int
        Number of prompts B ≥ 1.
    n : int
        Context length ≥ 1.
    d : int
        Dimension ≥ 1.
    rng : numpy.random.Generator
        Random source.
    covariance : (d, d) array, optional
        Σ (positive definite); identity when omitted. Not allowed with uniform inputs.
    noise_var : float, default 0.0
        Label noise variance σ² ≥ 0.
    weight_prior : {"isotropic", "inverse-covariance"}, default "isotropic"
        w ~ N(0, ψ² I) or N(0, ψ² Σ⁻¹).
    link : callable, optional
        Vectorised link f; identity when None.
    weight_var : float, default 1.0
        Task variance ψ² > 0.
    inputs : {"gaussian", "uniform"}, default "gaussian"
        Covariate law.
    input_range : float, default 1.0
        a > 0 of the uniform law.
    xp : array-API namespace, optional
        Namespace of the returned arrays (e.g. ``array_api_strict``, ``array_api_compat.torch``, ``cupy``);
        default: that of ``covariance`` when it is a non-NumPy array, else NumPy.
    device : device of ``xp``, optional
        Device of the returned arrays; default: that of ``covariance`` (when it is an array of ``xp``), else
        the namespace's default device.
    dtype : {"float64", "float32"} or a floating dtype of ``xp``, optional
        Default: the dtype of a non-NumPy ``covariance``, else float64.

    Returns
    -------
    Prompts
        The batch. It is drawn on the host in float64 (the link, a NumPy callable, runs there too) and moved
        once to ``xp``/``device``/``dtype``: the same ``rng`` state gives the same prompts on every backend.

    Raises
    ------
    InputError
        For invalid sizes, rng, covariance, variances, prior, link, input law, namespace, device or dtype.

    References
    ----------
    A. Mahankali, T. B. Hashimoto, T. Ma, "One Step of Gradient Descent is Provably the Optimal In-Context Learner
    with One Layer of Linear Self-Attention", ICLR 2024, arXiv:2307.03576 (isotropic and non-isotropic models).
    K. Ahn, X. Cheng, H. Daneshmand, S. Sra, "Transformers learn to implement preconditioned gradient descent for
    in-context learning", NeurIPS 2023, arXiv:2306.00297, Theorems 3–4.
    J. von Oswald, E. Niklasson, E. Randazzo, J. Sacramento, A. Mordvintsev, A. Zhmoginov, M. Vladymyrov,
    "Transformers Learn In-Context by Gradient Descent", ICML 2023, arXiv:2212.07677, §4 (uniform inputs).
    """
    B = check_integer("n_prompts", n_prompts)
    n = check_integer("n", n)
    d = check_integer("d", d)
    if not isinstance(rng, np.random.Generator):
        raise InputError(f"rng={rng!r} is not allowed; pass a numpy.random.Generator")
    s2 = check_nonnegative("noise_var", noise_var)
    psi2 = check_positive("weight_var", weight_var)
    check_choice("weight_prior", weight_prior, WEIGHT_PRIORS)
    check_choice("inputs", inputs, INPUT_LAWS)
    if link is not None and not callable(link):
        raise InputError(f"link={link!r} is not allowed; pass a vectorised callable or None")
    target = resolve_target(xp, device, dtype, like=covariance)
    chol = None
    if inputs == "uniform":
        if covariance is not None:
            raise InputError("covariance is not allowed with inputs='uniform'; leave it None")
        input_range = check_positive("input_range", input_range)
    elif covariance is not None:
        _, cov = check_covariance(covariance, d)
        chol = np.linalg.cholesky(_host64(cov))
    return move_prompts(_draw(B, n, d, rng, chol, s2, psi2, weight_prior, link, inputs, input_range), target)


def _host64(a) -> np.ndarray:
    """``a`` (any namespace, any device) as a float64 NumPy array on the host (one explicit copy)."""
    from ..._validation_arrays import to_numpy

    return np.asarray(to_numpy(a), dtype=np.float64)


def _is_numpy_namespace(xp) -> bool:
    return xp is None or xp is np or getattr(xp, "__name__", "") in ("numpy", "array_api_compat.numpy")


def resolve_target(xp=None, device=None, dtype=None, like=None):
    """The ``(xp, device, dtype)`` that sampled and trained arrays are moved to (None: NumPy float64 as drawn).

    ``xp``/``device``/``dtype`` given explicitly win; otherwise they are taken from ``like`` when it is a
    non-NumPy array (a covariance, a target matrix), else NumPy float64 (returned as None: nothing to move).

    Parameters
    ----------
    xp : array-API namespace, optional
        The namespace.
    device : object, optional
        A device of ``xp``.
    dtype : str or dtype, optional
        ``"float32"``, ``"float64"`` or a floating dtype of ``xp``.
    like : array, optional
        An input whose namespace, device and floating dtype are the defaults.

    Returns
    -------
    tuple or None
        ``(xp, device, dtype)`` with ``dtype`` a dtype object of ``xp``; None for NumPy float64.

    Raises
    ------
    InputError
        For a dtype other than float32/float64 or an object that is not an array namespace.

    References
    ----------
    Array API standard 2023.12 (https://data-apis.org/array-api/), device support (``device=`` of creation
    functions and ``asarray``); the prompt law of R. Zhang, S. Frei, P. L. Bartlett, "Trained Transformers Learn
    Linear Models In-Context", JMLR 25(49), 2024, arXiv:2306.09927.
    """
    if xp is None and like is not None and _is_foreign_array(like):
        from array_api_compat import array_namespace

        xp = array_namespace(like)
        device = array_device(like) if device is None else device
        if dtype is None and xp.isdtype(like.dtype, "real floating"):
            dtype = like.dtype
    if _is_numpy_namespace(xp):
        if device not in (None, "cpu"):
            raise InputError(f"device={device!r} is not allowed for NumPy; use None or 'cpu'")
        name = np.dtype(dtype).name if dtype is not None and not isinstance(dtype, str) else (dtype or "float64")
        if name not in ("float64", "float32"):
            raise InputError(f"dtype={dtype!r} is not allowed; float32 or float64 is")
        return None if name == "float64" else (np, None, np.float32)
    if not hasattr(xp, "asarray") or not hasattr(xp, "float64"):
        raise InputError(f"xp={xp!r} is not allowed; pass an array-API namespace (array_api_strict, cupy, ...)")
    if dtype is None or (isinstance(dtype, str) and dtype == "float64"):
        dt = xp.float64
    elif isinstance(dtype, str) and dtype == "float32":
        dt = xp.float32
    elif isinstance(dtype, str):
        raise InputError(f"dtype={dtype!r} is not allowed; float32 or float64 is")
    else:
        if dtype not in (xp.float32, xp.float64):
            raise InputError(f"dtype={dtype!r} is not allowed; float32 or float64 of {xp.__name__} is")
        dt = dtype
    return xp, device, dt


def move_array(a, target):
    """A float64 NumPy array moved once to ``target = (xp, device, dtype)`` (see :func:`resolve_target`).

    Parameters
    ----------
    a : ndarray
        A host array.
    target : tuple or None
        From :func:`resolve_target`; None leaves ``a`` as it is.

    Returns
    -------
    array
        ``a`` in the target namespace, on its device, in its dtype.

    References
    ----------
    Array API standard 2023.12 (https://data-apis.org/array-api/), device support (``device=`` of creation
    functions and ``asarray``); the prompt law of R. Zhang, S. Frei, P. L. Bartlett, "Trained Transformers Learn
    Linear Models In-Context", JMLR 25(49), 2024, arXiv:2306.09927.
    """
    if target is None:
        return a
    xp, device, dt = target
    if xp is np:
        return np.asarray(a, dtype=dt)
    if _is_foreign_array(a):
        return xp.asarray(xp.astype(a, dt), device=device) if device is not None else xp.astype(a, dt)
    host = np.asarray(a, dtype=np.float32 if dt == xp.float32 else np.float64)
    return xp.asarray(host, device=device) if device is not None else xp.asarray(host)


def move_prompts(prompts: Prompts, target) -> Prompts:
    """Every array of a (host, float64) batch moved once to ``target`` (see :func:`resolve_target`).

    Parameters
    ----------
    prompts : Prompts
        The batch.
    target : tuple or None
        From :func:`resolve_target`; None returns ``prompts`` itself.

    Returns
    -------
    Prompts
        The moved batch.

    References
    ----------
    Array API standard 2023.12 (https://data-apis.org/array-api/), device support (``device=`` of creation
    functions and ``asarray``); the prompt law of R. Zhang, S. Frei, P. L. Bartlett, "Trained Transformers Learn
    Linear Models In-Context", JMLR 25(49), 2024, arXiv:2306.09927.
    """
    if target is None:
        return prompts
    return Prompts(*(move_array(getattr(prompts, f), target) for f in ("X", "y", "x_query", "y_query", "w")))


def _draw(B, n, d, rng, chol, s2, psi2, weight_prior, link, inputs, a) -> Prompts:
    """The sampler behind :func:`sample_prompts`, on validated arguments (``chol``: Cholesky factor of Σ
    or None for the identity). Training loops call it to validate once, not every step."""
    if inputs == "uniform":
        X = rng.uniform(-a, a, size=(B, n + 1, d))
    else:
        X = rng.standard_normal((B * (n + 1), d))
        if chol is not None:
            X = X @ chol.T
        X = X.reshape(B, n + 1, d)
    g = rng.standard_normal((B, d)) * math.sqrt(psi2)
    if weight_prior == "inverse-covariance" and chol is not None:
        w = np.linalg.solve(chol.T, g.T).T  # Cov = L^{-T} L^{-1} ψ² = ψ² Σ⁻¹
    else:
        w = g
    signal = np.einsum("bnd,bd->bn", X, w)
    if link is not None:
        signal = np.asarray(link(signal), dtype=np.float64)
        if signal.shape != (B, n + 1):
            raise InputError(f"link returned shape {signal.shape}; an elementwise function is required")
    if s2 > 0:
        signal = signal + rng.standard_normal((B, n + 1)) * math.sqrt(s2)
    return Prompts(X=X[:, :n, :], y=signal[:, :n], x_query=X[:, n, :], y_query=signal[:, n], w=w)


__all__ = ["WEIGHT_PRIORS", "INPUT_LAWS", "check_covariance", "Prompts", "rotated_covariance", "sample_prompts",
           "resolve_target", "move_array", "move_prompts"]

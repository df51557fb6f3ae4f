"""Training one-layer linear self-attention for in-context regression: Adam/SGD on fresh prompts, and ALS.

* :func:`train_lsa`: Adam (or SGD) on the squared error of ``ŷ = bᵀ G A x_q`` over freshly sampled
  prompts; b (last row of P) and A (first d columns of Q) are all the parameters that matter
  (claim notes §2).
* :func:`fit_lsa_alternating`: the empirical global optimum over (b, A) by alternating least squares.

The reduced predictor and its objective (:func:`context_gram`, :func:`loss_grad`, :func:`loss_grad_reference`,
:func:`predict_reduced`, :func:`input_gradient_reduced`) live in :mod:`.reduced_lsa` and are re-exported here.
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np

from ..._fastpath import use_fast
from ..._validation import (InputError, array_device, check_bool, check_choice, check_generator, check_integer,
                            check_positive,
                            check_real)
from ..._validation_arrays import to_numpy
from .prompts import Prompts, _check_prompts, _draw, check_covariance, move_array, resolve_target, sample_prompts
from .reduced_lsa import (_loss_grad, context_gram, input_gradient_reduced, loss_grad, loss_grad_reference,
                          predict_reduced)

# --------------------------------------------------------------------------------------------- training
@dataclasses.dataclass
class TrainResult:
    """A trained one-layer LSA: reduced parameters (b, A), the full (P, Q), K = b_y A_top, a history.

    Parameters
    ----------
    b : array (d+1,)
        Reduced parameter b (last row of P), in the training namespace and on its device.
    A : array (d+1, d)
        Reduced parameter A (first d columns of Q).
    history : dict
        ``step``, ``loss`` and optionally ``distance``, ``irrelevant`` (NumPy arrays).

    References
    ----------
    A. Mahankali, T. B. Hashimoto, T. Ma, "One Step of Gradient Descent is Provably the Optimal In-Context Learner
    with One Layer of Linear Self-Attention", ICLR 2024, arXiv:2307.03576.
    K. Ahn, X. Cheng, H. Daneshmand, S. Sra, "Transformers learn to implement preconditioned gradient descent for
    in-context learning", NeurIPS 2023, arXiv:2306.00297, Theorem 1.
    R. Zhang, S. Frei, P. L. Bartlett, "Trained Transformers Learn Linear Models In-Context", JMLR 25(49), 2024,
    arXiv:2306.09927, Theorem 4.1.
    """

    b: np.ndarray
    A: np.ndarray
    history: dict

    @property
    def d(self) -> int:
        """Dimension d."""
        return self.A.shape[1]

    @property
    def K(self) -> np.ndarray:
        """The effective preconditioner b_y A_top (prediction hᵀ K x_q on the GD subspace)."""
        return self.b[-1] * self.A[:-1, :]

    @property
    def P(self) -> np.ndarray:
        """The full (d+1, d+1) projection-value matrix with last row b (zeros elsewhere)."""
        from array_api_compat import array_namespace

        xp = array_namespace(self.b)
        zeros = xp.zeros((self.d, self.d + 1), dtype=self.b.dtype, device=array_device(self.b))
        return xp.concat([zeros, self.b[None, :]], axis=0)

    @property
    def Q(self) -> np.ndarray:
        """The full (d+1, d+1) key-query matrix with first d columns A (zeros elsewhere)."""
        from array_api_compat import array_namespace

        xp = array_namespace(self.A)
        zeros = xp.zeros((self.d + 1, 1), dtype=self.A.dtype, device=array_device(self.A))
        return xp.concat([self.A, zeros], axis=1)


def train_lsa(d, n, rng, *, covariance=None, noise_var=0.0, weight_var=1.0, weight_prior="isotropic",
              link=None, inputs="gaussian", input_range=1.0, mask=True, steps=2000, batch_size=1024, lr=3e-3,
              optimizer="adam", decay_at=0.75, decay=0.1, init="gd", init_scale=0.3, record_every=25,
              target=None, fast=None, xp=None, device=None, dtype=None) -> TrainResult:
    """Train a one-layer LSA ``ŷ = bᵀ G A x_q`` on fresh prompts every step (population loss by SGD/Adam).

    Loss: mean (ŷ − y_q)² over ``batch_size`` prompts from :func:`icl.sample_prompts`; Adam
    (β = 0.9, 0.999) or plain SGD, the learning rate multiplied by ``decay`` after ``decay_at`` of the
    steps (the protocol of claim notes §9, I10). Initialisation b, A ~ N(0, init_scale²). Deterministic for
    a given ``rng`` state.

    ``init="gd"`` (default): b = s e_{d+1}, A_top = s I/√d, as in Zhang–Frei–Bartlett's initialisation,
    plus N(0, (s/10)²) noise on every entry, so the irrelevant blocks start non-zero and must decay.
    ``init="random"``: every entry N(0, s²). From fully random initialisations Adam often stalls on a
    plateau with b_y ≈ 0 (a rank-one K = b_x a_botᵀ), observed in about half the seeds for
    d = 3, n = 6, Σ = diag(0.25, 1, 4); the GD-like initialisation avoids it. ``history`` holds ``step``, ``loss``
    (minibatch) and, when ``target`` (a
    (d, d) matrix, e.g. Γ⁻¹) is given, ``distance`` = ‖b_y A_top − target‖_F and ``irrelevant`` =
    ‖(b_x, a_bot)‖ (blocks that vanish at the optimum, Mahankali et al. 2023; Ahn et al. 2023 Thm 1).

    Parameters
    ----------
    d : int
        Dimension ≥ 1.
    n : int
        Context length ≥ 1.
    rng : numpy.random.Generator
        Random source (prompts and initialisation).
    covariance : (d, d) array or None
        Σ (symmetric positive definite); identity when None.
    n : int
        Context length ≥ 1.
    noise_var : float, default 0.0
        Label noise variance σ² ≥ 0.
    weight_var : float, default 1.0
        Task variance ψ² > 0.
    weight_prior : {"isotropic", "inverse-covariance"}, default "isotropic"
        Task prior.
    link : callable, optional
        Vectorised link of the labels (identity when None).
    inputs : {"gaussian", "uniform"}, default "gaussian"
        Covariate law.
    input_range : float, default 1.0
        a of the uniform law.
    mask : bool, default True
        Masked attention.
    steps : int, default 2000
        Optimisation steps.
    batch_size : int, default 1024
        Prompts per step.
    lr : float, default 3e-3
        Learning rate > 0.
    optimizer : {"adam", "sgd"}, default "adam"
        The optimiser.
    decay_at : float, default 0.75
        Fraction of the steps after which the rate is decayed.
    decay : float, default 0.1
        Learning-rate decay factor.
    init : {"gd", "random"}, default "gd"
        Initialisation scheme.
    init_scale : float, default 0.3
        s of the initialisation.
    record_every : int, default 25
        History interval in steps.
    target : array (d, d), optional
        Matrix (e.g. Γ⁻¹) whose distance to b_y A_top is recorded.
    fast : bool or None, default None
        The numba loss/gradient kernel (True), the reference (False), or the kernel when the package switch
        is on (None); see :func:`theorylab._fastpath.use_fast`. The kernel needs NumPy float64.
    xp, device, dtype : optional
        Where to train (see :mod:`.prompts`): by default NumPy float64, or the namespace, device and dtype of a
        non-NumPy ``covariance``. The prompts and the initialisation are drawn on the host from ``rng`` exactly
        as for NumPy and moved once per batch; the loss, gradient, Adam/SGD update and the recorded history
        stay on the device, with no device-to-host synchronisation per step (the history is read back once, at
        the end).

    Returns
    -------
    TrainResult
        The trained parameters (arrays of the training namespace, on its device) and the history (NumPy).

    Raises
    ------
    InputError
        For invalid arguments.

    References
    ----------
    A. Mahankali, T. B. Hashimoto, T. Ma, "One Step of Gradient Descent is Provably the Optimal In-Context Learner
    with One Layer of Linear Self-Attention", ICLR 2024, arXiv:2307.03576.
    K. Ahn, X. Cheng, H. Daneshmand, S. Sra, "Transformers learn to implement preconditioned gradient descent for
    in-context learning", NeurIPS 2023, arXiv:2306.00297, Theorem 1.
    R. Zhang, S. Frei, P. L. Bartlett, "Trained Transformers Learn Linear Models In-Context", JMLR 25(49), 2024,
    arXiv:2306.09927, Theorem 4.1.
    Derivation and protocol worked out in the project's claim notes (shared/claims/in-context-regression.md).
    """
    d = check_integer("d", d)
    n = check_integer("n", n)
    steps = check_integer("steps", steps)
    batch_size = check_integer("batch_size", batch_size)
    lr = check_positive("lr", lr)
    check_choice("optimizer", optimizer, ("adam", "sgd"))
    rng = check_generator("rng", rng)
    where = resolve_target(xp, device, dtype, like=covariance)
    mask, fast = check_bool("mask", mask), use_fast(fast, numpy_inputs=where is None)
    decay_at = check_real("decay_at", decay_at, allowed="a number in [0, 1]")
    if not 0 <= decay_at <= 1:
        raise InputError(f"decay_at={decay_at!r} is not allowed; a fraction of the steps in [0, 1] is")
    decay = check_positive("decay", decay)
    init_scale = check_positive("init_scale", init_scale)
    record_every = check_integer("record_every", record_every)
    if target is not None:
        target = np.asarray(to_numpy(target), dtype=np.float64)
        if target.shape != (d, d):
            raise InputError(f"target has shape {target.shape}; a ({d}, {d}) matrix is required")
    # validate every sampling argument once (a one-prompt draw), then sample with the raw drawer
    sample_prompts(1, n, d, np.random.default_rng(0), covariance=covariance, noise_var=noise_var,
                       weight_prior=weight_prior, link=link, weight_var=weight_var, inputs=inputs,
                       input_range=input_range)
    chol = None
    if covariance is not None:
        chol = np.linalg.cholesky(np.asarray(check_covariance(np.asarray(to_numpy(covariance), dtype=np.float64),
                                                              d)[1]))
    draw_args = (chol, float(noise_var), float(weight_var), weight_prior, link, inputs, float(input_range))
    check_choice("init", init, ("gd", "random"))
    b = rng.standard_normal(d + 1) * init_scale
    A = rng.standard_normal((d + 1, d)) * init_scale
    if init == "gd":
        b *= 0.1
        A *= 0.1
        b[-1] += init_scale
        A[:d, :] += init_scale * np.eye(d) / math.sqrt(d)
    if where is None:  # NumPy float64: the original loop (numba kernel by default), floats recorded as they come
        ns, host = np, True
    else:
        from array_api_compat import array_namespace

        b, A = move_array(b, where), move_array(A, where)
        ns, host = array_namespace(b), False
        target = None if target is None else move_array(target, where)
    mb, vb, mA, vA = ns.zeros_like(b), ns.zeros_like(b), ns.zeros_like(A), ns.zeros_like(A)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    hist = {"step": [], "loss": [], "distance": [], "irrelevant": []}
    for t in range(1, steps + 1):
        pr = _draw(batch_size, n, d, rng, *draw_args)
        if not host:  # one host-to-device copy of what the loss uses (not the tasks w); no read-back
            pr = Prompts(*(move_array(a, where) for a in (pr.X, pr.y, pr.x_query, pr.y_query)), w=None)
        loss, gb, gA = _loss_grad(pr, b, A, mask, fast)
        rate = lr * (decay if t > decay_at * steps else 1.0)
        if optimizer == "adam":
            mb = beta1 * mb + (1 - beta1) * gb
            vb = beta2 * vb + (1 - beta2) * gb * gb
            mA = beta1 * mA + (1 - beta1) * gA
            vA = beta2 * vA + (1 - beta2) * gA * gA
            c1, c2 = 1 - beta1 ** t, 1 - beta2 ** t
            b = b - rate * (mb / c1) / (ns.sqrt(vb / c2) + eps)
            A = A - rate * (mA / c1) / (ns.sqrt(vA / c2) + eps)
        else:
            b = b - rate * gb
            A = A - rate * gA
        if t % record_every == 0 or t == steps or t == 1:
            hist["step"].append(t)
            hist["loss"].append(loss)
            K = b[-1] * A[:-1, :]
            if host:
                hist["distance"].append(float(np.linalg.norm(K - target)) if target is not None else math.nan)
                hist["irrelevant"].append(float(math.hypot(np.linalg.norm(b[:-1]), np.linalg.norm(A[-1, :]))))
            else:  # 0-d device arrays, read back once after the loop
                hist["distance"].append(ns.linalg.matrix_norm(K - target) if target is not None else None)
                hist["irrelevant"].append(ns.sqrt(ns.vecdot(b[:-1], b[:-1]) + ns.vecdot(A[-1, :], A[-1, :])))
    if not host:
        for key in ("loss", "distance", "irrelevant"):
            vals = hist[key]
            hist[key] = ([math.nan] * len(vals) if vals and vals[0] is None
                         else [float(v) for v in to_numpy(ns.stack(vals))])
    return TrainResult(b=b, A=A, history={k: np.asarray(v) for k, v in hist.items()})


def fit_lsa_alternating(prompts, mask=True, sweeps=30, rng=None, restarts=6):
    """Empirical risk minimiser over all one-layer LSA parameters (b, A) by alternating least squares.

    ŷ = bᵀ G A x_q is linear in A for fixed b (features vec((G b) x_qᵀ)) and linear in b for fixed A
    (features G A x_q); each half-step solves its normal equations exactly (claim notes §9, I9). ALS on a
    bilinear model can stall at a poor stationary point (observed: b_y ≈ 0 with b_y A_top ∝ Σ⁻¹, in
    roughly a third of random starts for d = 3, n = 6), so ``restarts`` random initialisations are
    run and the one with the smallest empirical risk is returned. Returns (b, A) with the gauge
    fixed by ‖b‖ = ‖A‖_F; only gauge-invariant products such as b_y A_top are meaningful.

    Parameters
    ----------
    prompts : Prompts
        The training prompts.
    mask : bool, default True
        Masked attention.
    sweeps : int, default 30
        ALS sweeps per start.
    rng : numpy.random.Generator, optional
        Random starts (``default_rng(0)`` when None).
    restarts : int, default 6
        Number of random starts.

    Returns
    -------
    b : ndarray (d+1,)
        Reduced parameter b.
    A : ndarray (d+1, d)
        Reduced parameter A.

    Raises
    ------
    InputError
        For invalid arguments.

    References
    ----------
    A. Mahankali, T. B. Hashimoto, T. Ma, "One Step of Gradient Descent is Provably the Optimal In-Context Learner
    with One Layer of Linear Self-Attention", ICLR 2024, arXiv:2307.03576.
    K. Ahn, X. Cheng, H. Daneshmand, S. Sra, "Transformers learn to implement preconditioned gradient descent for
    in-context learning", NeurIPS 2023, arXiv:2306.00297, Theorem 1.
    R. Zhang, S. Frei, P. L. Bartlett, "Trained Transformers Learn Linear Models In-Context", JMLR 25(49), 2024,
    arXiv:2306.09927, Theorem 4.1.
    Derivation and protocol worked out in the project's claim notes (shared/claims/in-context-regression.md).
    """
    _check_prompts(prompts)
    mask = check_bool("mask", mask)
    sweeps = check_integer("sweeps", sweeps)
    restarts = check_integer("restarts", restarts)
    rng = check_generator("rng", rng, optional=True)
    G = context_gram(prompts, mask)
    B, D, _ = G.shape
    d = D - 1
    xq, yq = prompts.x_query, prompts.y_query
    rng = rng if rng is not None else np.random.default_rng(0)

    def run(b, count):
        risk = math.inf
        for _ in range(count):
            F = ((G @ b)[:, :, None] * xq[:, None, :]).reshape(B, D * d)
            A = np.linalg.solve(F.T @ F, F.T @ yq).reshape(D, d)
            u = (G @ (xq @ A.T)[:, :, None])[:, :, 0]
            b = np.linalg.solve(u.T @ u, u.T @ yq)
            new = float(np.mean((u @ b - yq) ** 2))
            done = risk - new <= 1e-9 * new
            risk = new
            if done:  # ALS decreases the risk monotonically: stop once it no longer moves
                break
        return risk, b, A

    # probe every restart with a few sweeps, then run the best one to convergence
    probes = [run(rng.standard_normal(D), min(3, sweeps)) for _ in range(restarts)]
    risk, b, A = run(min(probes, key=lambda p: p[0])[1], sweeps)
    scale = math.sqrt(np.linalg.norm(A) / np.linalg.norm(b))  # gauge (γ b, A/γ): ‖b‖ = ‖A‖
    return b * scale, A / scale


__all__ = ["context_gram", "loss_grad_reference", "loss_grad", "TrainResult", "train_lsa", "fit_lsa_alternating", "predict_reduced",
           "input_gradient_reduced"]

"""Compatibility path: the code lives in :mod:`theorylab.settings.icl.training` (training),
:mod:`theorylab.settings.icl.reduced_lsa` (the reduced predictor, its loss and gradient) and
:mod:`theorylab.settings.icl.zfb_flow` (the ZFB population flow)."""
from .icl.reduced_lsa import loss_grad_reference, loss_grad, predict_reduced, input_gradient_reduced
from .icl.training import TrainResult, train_lsa, fit_lsa_alternating
from .icl.zfb_flow import zfb_limit, FlowResult, zfb_gradient_flow, zfb_initialisation

__all__ = ["loss_grad_reference", "loss_grad", "TrainResult", "train_lsa", "fit_lsa_alternating", "predict_reduced",
           "input_gradient_reduced", "zfb_limit", "FlowResult", "zfb_gradient_flow", "zfb_initialisation"]

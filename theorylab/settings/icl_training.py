"""Compatibility path: the code lives in :mod:`theorylab.settings.icl.training` (training) and
:mod:`theorylab.settings.icl.zfb_flow` (the ZFB population flow)."""
from .icl.training import (loss_grad_reference, loss_grad, TrainResult, train_lsa, fit_lsa_alternating,
                           predict_reduced, input_gradient_reduced)
from .icl.zfb_flow import zfb_limit, FlowResult, zfb_gradient_flow, zfb_initialisation

__all__ = ["loss_grad_reference", "loss_grad", "TrainResult", "train_lsa", "fit_lsa_alternating", "predict_reduced",
           "input_gradient_reduced", "zfb_limit", "FlowResult", "zfb_gradient_flow", "zfb_initialisation"]

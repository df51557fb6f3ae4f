"""Large-step logistic regression (LR+GD) on separable data and its limit, the batch perceptron (Tyurin 2024)."""
from .dynamics import (
    batch_perceptron,
    logistic_gd_rescaled,
    logistic_loss,
    separable_data,
)

__all__ = ["batch_perceptron", "logistic_gd_rescaled", "logistic_loss", "separable_data"]

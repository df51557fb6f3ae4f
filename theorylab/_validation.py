"""Input validation shared by every layer: one-line errors that name the argument and what is allowed.

Compatibility path: the checks live in :mod:`theorylab._validation_scalars` (single values, and
:class:`InputError`) and :mod:`theorylab._validation_arrays` (arrays of any array-API library); this module
re-exports them under their old names and has no code of its own.
"""
from ._validation_arrays import (_EPS, _is_foreign_array, array_device, as_real_array, check_finite,  # noqa: F401 (old path)
                                 check_in_unit_interval, check_labels, check_ndim, check_no_nan, check_probability,
                                 is_traced, like_input, namespace_of, on_host, real_namespace,
                                 to_numpy)
from ._validation_scalars import (InputError, check_bool, check_choice, check_generator,  # noqa: F401 (old path)
                                  check_integer, check_nonnegative, check_positive, check_real, short_repr)

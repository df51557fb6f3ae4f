"""The tight error transformation: the search (:mod:`.search`) and its numba kernels (:mod:`.kernels`)."""

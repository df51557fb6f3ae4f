"""The tight error transformation: searches and dispatch (:mod:`.search`), the candidate stage (:mod:`.candidates`),
the multi-class joint search (:mod:`.multiclass`), witness checks (:mod:`.witness`), numba kernels (:mod:`.kernels`)."""

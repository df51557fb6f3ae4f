"""InfoNCE estimator: direct loop, ceiling, bad inputs."""
import numpy as np
import pytest

from theorylab import InputError
from theorylab.settings.infonce import infonce_estimate


def test_against_loop_and_ceiling():
    rng = np.random.default_rng(0)
    for n in (1, 3, 17):
        s = 3 * rng.standard_normal((n, n))
        direct = np.mean([s[i, i] - np.log(np.mean(np.exp(s[i]))) for i in range(n)])
        assert np.isclose(infonce_estimate(s), direct)
        assert infonce_estimate(s) <= np.log(n) + 1e-12
    assert np.isclose(infonce_estimate(100 * np.eye(8)), np.log(8))


@pytest.mark.parametrize("bad", [np.ones((2, 3)), np.ones(3), [[np.nan]], np.zeros((0, 0))])
def test_bad_inputs(bad):
    with pytest.raises(InputError):
        infonce_estimate(bad)

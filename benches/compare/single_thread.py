"""Pins numpy's, scikit-learn's and numba's thread pools to one thread.

The comparison scripts import this before numpy: the variables only take effect if they are
set before those libraries load, and every figure is single-threaded on both sides.
"""

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_variable] = "1"

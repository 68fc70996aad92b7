"""Times scikit-learn's lbfgs on the design bench/fitLarge.ts fits, for issue 17's ratio.

Run by the bench when Debian's python3-sklearn is installed (`/usr/bin/python3`); the project
never needs Python. Reads the n×p row-major float64 design and the uint8 outcomes the bench
wrote, fits the same objective (ridge α = 1 on the coefficients, the intercept unpenalised:
C = 1/α), and prints one JSON line. Best of `repeat` fits, so a page-in of the first is not
counted against scikit-learn.
"""
import json
import sys
import time

import numpy as np
from sklearn.linear_model import LogisticRegression

x_path, y_path, n, p, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
x = np.fromfile(x_path, dtype=np.float64).reshape(n, p)
y = np.fromfile(y_path, dtype=np.uint8)
times = []
for _ in range(repeat):
    started = time.perf_counter()
    model = LogisticRegression(C=1.0, solver="lbfgs", tol=1e-8, max_iter=1000).fit(x, y)
    times.append(time.perf_counter() - started)
print(json.dumps({
    "seconds": times,
    "iterations": int(model.n_iter_[0]),
    "intercept": float(model.intercept_[0]),
    "coef": [float(c) for c in model.coef_[0]],
}))

"""Differentiable ops, one ``Function`` each, grouped by family.

``elementwise`` (map and zip), ``reduce``, ``shape`` (views and joins),
``index``, ``linalg`` (matmul) and ``device``. Forwards call backend
kernels on raw arrays; backwards are written in tensor ops.
"""

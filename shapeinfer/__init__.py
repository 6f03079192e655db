"""shapeinfer: symbolic shape inference for JAX programs.

>>> import shapeinfer
>>> str(shapeinfer.infer("vmap(add, (0, None), 1)((a,b,c), (a,b,c))"))
'(a, a, b, c)'

``import shapeinfer`` does not import JAX; :func:`check` imports it lazily.
"""
from .api import Result, infer
from .errors import CODES, ShapeError, ShapeSyntaxError
from .library import Library, load_rules
from .rules.loader import RuleError

__all__ = ["infer", "check", "load_rules", "Library", "Result", "ShapeError",
           "ShapeSyntaxError", "RuleError", "CODES"]
__version__ = "0.1.0"


JAX_MISSING = 'the checker needs JAX, which is not installed: pip install "shapeinfer[jax]"'


def check(text: str, **options):
    """Compare :func:`infer` with ``jax.eval_shape`` (see :mod:`shapeinfer.oracle`).

    Raises ImportError saying what to install when JAX is missing."""
    try:
        from .oracle import check as _check
    except ImportError as e:
        if (e.name or "").split(".")[0] not in ("jax", "jaxlib"):
            raise
        raise ImportError(JAX_MISSING, name=e.name) from e
    return _check(text, **options)

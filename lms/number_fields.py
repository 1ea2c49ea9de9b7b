"""A form validator shared by every field that takes a number with a fraction."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms.validators import StopValidation


def finite(_form: Any, field: Any) -> None:
    """Refuse "nan", "inf" and the like, before any range check compares them.

    Put it before ``NumberRange``: a signalling NaN ("sNaN") reaches a DecimalField as a
    Decimal that Python cannot even compare, and the range check would fail with an error.
    """
    value = field.data
    if value is None:
        return
    ordinary = value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)
    if not ordinary:
        raise StopValidation(_l("Enter an ordinary number."))

"""A numba scanner of JSON Lines straight into the kernel's event columns.

It reads the common shape of an input line — one flat object whose keys are declared names and
whose values are numbers, ``true``/``false`` or plain ASCII strings (no escapes) — and writes the
event's type, time and fields into the columns, with no Python object per field. It *accepts*
only lines whose meaning it is sure of, exactly as ``orjson.loads`` plus the reader's checks take
them; every other line (blank, malformed, a missing or unknown field, a string with an escape or
non-ASCII text, a duration written as text, a number it cannot convert exactly, a time it does
not parse) is marked for the reader's exact path, which gives it its event or its message.

Numbers: integers of at most 18 digits; other numbers only when the decimal mantissa is at most
2**53 and the power of ten at most 22 either way, where one multiplication or division of exact
doubles is correctly rounded (Clinger's fast path), so the value is the one ``float(text)`` gives.
Times as text: ``YYYY-MM-DDTHH:MM:SS[.ffffff](Z|+HH:MM|-HH:MM)`` with a valid date, computed with
the arithmetic of ``datetime.timestamp()``; other spellings go to the exact path.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# Value kinds of fields (the scanner's codes for a field's declared type).
K_INT, K_FLOAT, K_BOOL, K_STR, K_DURATION, K_TIME = 0, 1, 2, 3, 4, 5
KIND_CODES = {"int": K_INT, "float": K_FLOAT, "bool": K_BOOL, "str": K_STR, "duration": K_DURATION,
              "time": K_TIME}

# Tokens of a scanned value.
T_INT, T_FLOAT, T_TRUE, T_FALSE, T_STR = 0, 1, 2, 3, 4

MAX_KEYS = 62
"""Keys the scanner tells apart (a bit each in a mask): "event", "time" and the field names."""

_POW10 = np.array([10.0 ** i for i in range(23)], dtype=np.float64)
_TWO53 = 1 << 53


@njit(cache=True, nogil=True, error_model="numpy")
def _ws(buf, i, end):
    while i < end:
        c = buf[i]
        if c == 32 or c == 9 or c == 13:
            i += 1
        else:
            break
    return i


@njit(cache=True, nogil=True, error_model="numpy")
def _match(buf, s, e, names, offsets):
    """The index of the name equal to buf[s:e], or -1."""
    size = e - s
    for k in range(len(offsets) - 1):
        a = offsets[k]
        if offsets[k + 1] - a != size:
            continue
        same = True
        for j in range(size):
            if buf[s + j] != names[a + j]:
                same = False
                break
        if same:
            return k
    return -1


@njit(cache=True, nogil=True, error_model="numpy")
def _string_end(buf, i, end):
    """The index of the closing quote of a plain ASCII string starting at i, or -1."""
    while i < end:
        c = buf[i]
        if c == 34:
            return i
        if c < 32 or c > 126 or c == 92:
            return -1
        i += 1
    return -1


@njit(cache=True, nogil=True, error_model="numpy")
def _digits(buf, i, end, start):
    """(next index, value) of the two or four digits at i; value -1 when they are not digits."""
    value = 0
    for j in range(start):
        if i + j >= end:
            return i, -1
        c = buf[i + j]
        if c < 48 or c > 57:
            return i, -1
        value = value * 10 + (c - 48)
    return i + start, value


@njit(cache=True, nogil=True, error_model="numpy")
def _days_in_month(y, m):
    if m == 2:
        if y % 4 == 0 and (y % 100 != 0 or y % 400 == 0):
            return 29
        return 28
    if m == 4 or m == 6 or m == 9 or m == 11:
        return 30
    return 31


@njit(cache=True, nogil=True, error_model="numpy")
def _rfc3339(buf, s, e):
    """(ok, seconds) of RFC 3339 text in buf[s:e], for the shapes the scanner is sure of."""
    i, y = _digits(buf, s, e, 4)
    if y < 0 or i >= e or buf[i] != 45:
        return False, 0.0
    i, mo = _digits(buf, i + 1, e, 2)
    if mo < 0 or i >= e or buf[i] != 45:
        return False, 0.0
    i, d = _digits(buf, i + 1, e, 2)
    if d < 0 or i >= e or buf[i] != 84:  # T
        return False, 0.0
    i, h = _digits(buf, i + 1, e, 2)
    if h < 0 or i >= e or buf[i] != 58:
        return False, 0.0
    i, mi = _digits(buf, i + 1, e, 2)
    if mi < 0 or i >= e or buf[i] != 58:
        return False, 0.0
    i, sec = _digits(buf, i + 1, e, 2)
    if sec < 0 or i >= e:
        return False, 0.0
    micros = 0
    if buf[i] == 46:  # .
        i += 1
        count = 0
        while i < e and 48 <= buf[i] <= 57:
            if count >= 6:
                return False, 0.0
            micros = micros * 10 + (buf[i] - 48)
            count += 1
            i += 1
        if count == 0:
            return False, 0.0
        for _ in range(6 - count):
            micros *= 10
    if i >= e:
        return False, 0.0
    offset = 0
    if buf[i] == 90:  # Z
        i += 1
    elif buf[i] == 43 or buf[i] == 45:
        sign = 1 if buf[i] == 43 else -1
        i, oh = _digits(buf, i + 1, e, 2)
        if oh < 0 or i >= e or buf[i] != 58:
            return False, 0.0
        i, om = _digits(buf, i + 1, e, 2)
        if om < 0 or oh > 23 or om > 59:
            return False, 0.0
        offset = sign * (oh * 3600 + om * 60)
    else:
        return False, 0.0
    if i != e:
        return False, 0.0
    if y < 1 or mo < 1 or mo > 12 or d < 1 or d > _days_in_month(y, mo) or h > 23 or mi > 59 or sec > 59:
        return False, 0.0
    yy = y - 1 if mo <= 2 else y
    era = yy // 400
    yoe = yy - era * 400
    doy = (153 * (mo + (-3 if mo > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    days = era * 146097 + doe - 719468
    whole = days * 86400 + h * 3600 + mi * 60 + sec - offset
    total = whole * 1000000 + micros
    if total >= _TWO53 or total <= -_TWO53:
        return False, 0.0
    return True, np.float64(total) / 1000000.0


@njit(cache=True, nogil=True, error_model="numpy")
def _number(buf, i, end, pow10):
    """(next index, token, int value, float value) of the JSON number at i; token -1 when the
    scanner leaves it to the exact path."""
    neg = False
    if buf[i] == 45:
        neg = True
        i += 1
    if i >= end:
        return i, -1, 0, 0.0
    mantissa = 0
    digits = 0
    c = buf[i]
    if c == 48:
        i += 1
        if i < end and 48 <= buf[i] <= 57:
            return i, -1, 0, 0.0  # a leading zero: not JSON
    elif 49 <= c <= 57:
        while i < end and 48 <= buf[i] <= 57:
            if digits >= 18:
                return i, -1, 0, 0.0
            mantissa = mantissa * 10 + (buf[i] - 48)
            digits += 1
            i += 1
    else:
        return i, -1, 0, 0.0
    is_float = False
    scale = 0
    if i < end and buf[i] == 46:
        is_float = True
        i += 1
        count = 0
        while i < end and 48 <= buf[i] <= 57:
            if mantissa > 0 or buf[i] != 48:
                digits += 1
            if digits > 18:
                return i, -1, 0, 0.0
            mantissa = mantissa * 10 + (buf[i] - 48)
            scale -= 1
            count += 1
            i += 1
        if count == 0:
            return i, -1, 0, 0.0
    if i < end and (buf[i] == 101 or buf[i] == 69):
        is_float = True
        i += 1
        eneg = False
        if i < end and (buf[i] == 43 or buf[i] == 45):
            eneg = buf[i] == 45
            i += 1
        count = 0
        exponent = 0
        while i < end and 48 <= buf[i] <= 57:
            if exponent < 10000:
                exponent = exponent * 10 + (buf[i] - 48)
            count += 1
            i += 1
        if count == 0:
            return i, -1, 0, 0.0
        scale += -exponent if eneg else exponent
    if not is_float:
        return i, T_INT, -mantissa if neg else mantissa, 0.0
    if mantissa > _TWO53:
        return i, -1, 0, 0.0
    value = np.float64(mantissa)
    if mantissa == 0:
        value = 0.0
    elif scale >= 0:
        if scale > 22:
            return i, -1, 0, 0.0
        value = value * pow10[scale]
    else:
        if scale < -22:
            return i, -1, 0, 0.0
        value = value / pow10[-scale]
    return i, T_FLOAT, 0, -value if neg else value


@njit(cache=True, nogil=True, error_model="numpy")
def count_lines(buf):
    """The lines of ``buf`` (one more than its ``\\n`` bytes), without holding the GIL."""
    count = 1
    for c in buf:
        if c == 10:
            count += 1
    return count


@njit(cache=True, nogil=True, error_model="numpy")
def scan(buf, keys, key_off, tnames, tname_off, t_ok, t_mask, f_kind, f_col,
         ev_type, ev_time, ev_I, ev_F, slow, s_row, s_col, s_start, s_end, pow10):
    """Scan the lines of ``buf`` (split at ``\\n``; the last one need not end with one).

    Keys: 0 is "event", 1 is "time", then field names. Per type t (the kernel's type index):
    ``t_ok`` (0: the type cannot be input, leave it to the exact path), ``t_mask`` (the bit of
    each key its records must have, "time" aside), ``f_kind[t, k]`` (the field's K_* code, -1
    when not a field: int, bool and str go to ``ev_I``, the others to ``ev_F``), ``f_col[t, k]``
    (the column). Writes row r
    for line r: ``ev_type``, ``ev_time`` (NaN: no time given), ``ev_I``/``ev_F``; ``slow[r]`` = 1
    for a line left to the exact path. Strings go to ``s_*`` (row, column, start, end in buf) for
    the host to intern. Returns (lines, strings)."""
    n = len(buf)
    nkeys = len(key_off) - 1
    tok = np.zeros(nkeys, dtype=np.int64)
    ival = np.zeros(nkeys, dtype=np.int64)
    fval = np.zeros(nkeys, dtype=np.float64)
    sstart = np.zeros(nkeys, dtype=np.int64)
    send = np.zeros(nkeys, dtype=np.int64)
    row = 0
    nstr = 0
    pos = 0
    while True:
        # ------------------------------------------------ one line, from pos to the next \n
        # No token takes a \n (whitespace here is space, tab and \r; strings refuse control
        # characters), so the line is parsed with the buffer's end as bound and ends where
        # the parse stops; only a line left to the exact path is searched for its end.
        stop = n
        ok = False
        i = _ws(buf, pos, stop)
        mask = 0
        if i < stop and buf[i] == 123:
            i = _ws(buf, i + 1, stop)
            ok = i < stop and buf[i] == 34
            while ok:
                # a key
                ke = _string_end(buf, i + 1, stop)
                if ke < 0:
                    ok = False
                    break
                k = _match(buf, i + 1, ke, keys, key_off)
                if k < 0 or (mask >> k) & 1:
                    ok = False
                    break
                mask |= 1 << k
                i = _ws(buf, ke + 1, stop)
                if i >= stop or buf[i] != 58:
                    ok = False
                    break
                i = _ws(buf, i + 1, stop)
                if i >= stop:
                    ok = False
                    break
                c = buf[i]
                if c == 34:
                    ve = _string_end(buf, i + 1, stop)
                    if ve < 0:
                        ok = False
                        break
                    tok[k] = T_STR
                    sstart[k] = i + 1
                    send[k] = ve
                    i = ve + 1
                elif c == 116:
                    if i + 4 <= stop and buf[i + 1] == 114 and buf[i + 2] == 117 and buf[i + 3] == 101:
                        tok[k] = T_TRUE
                        i += 4
                    else:
                        ok = False
                        break
                elif c == 102:
                    if (i + 5 <= stop and buf[i + 1] == 97 and buf[i + 2] == 108 and buf[i + 3] == 115
                            and buf[i + 4] == 101):
                        tok[k] = T_FALSE
                        i += 5
                    else:
                        ok = False
                        break
                elif c == 45 or (48 <= c <= 57):
                    i, t, iv, fv = _number(buf, i, stop, pow10)
                    if t < 0:
                        ok = False
                        break
                    tok[k] = t
                    ival[k] = iv
                    fval[k] = fv
                else:
                    ok = False
                    break
                i = _ws(buf, i, stop)
                if i >= stop:
                    ok = False
                    break
                if buf[i] == 44:
                    i = _ws(buf, i + 1, stop)
                    if i >= stop or buf[i] != 34:
                        ok = False
                    continue
                if buf[i] == 125:
                    i = _ws(buf, i + 1, stop)
                    ok = i == n or buf[i] == 10
                    break
                ok = False
        # ------------------------------------------------ the record against its type
        t = -1
        if ok and (mask & 1) and tok[0] == T_STR:
            t = _match(buf, sstart[0], send[0], tnames, tname_off)
        if t >= 0 and (t_ok[t] == 0 or (mask | 2) != (t_mask[t] | 2)):
            t = -1  # a type that cannot be input, a missing or an extra key
        if t >= 0:
            stamp = np.nan
            if mask & 2:
                if tok[1] == T_INT:
                    stamp = np.float64(ival[1])
                elif tok[1] == T_FLOAT:
                    stamp = fval[1]
                elif tok[1] == T_STR:
                    good, stamp = _rfc3339(buf, sstart[1], send[1])
                    if not good:
                        t = -1
                else:
                    t = -1
            if t >= 0:
                first_str = nstr
                for k in range(2, nkeys):
                    kind = f_kind[t, k]
                    if kind < 0:
                        continue
                    tk = tok[k]
                    col = f_col[t, k]
                    if kind == K_INT:
                        if tk != T_INT:
                            t = -1
                            break
                        ev_I[row, col] = ival[k]
                    elif kind == K_BOOL:
                        if tk == T_TRUE:
                            ev_I[row, col] = 1
                        elif tk == T_FALSE:
                            ev_I[row, col] = 0
                        else:
                            t = -1
                            break
                    elif kind == K_STR:
                        if tk != T_STR:
                            t = -1
                            break
                        s_row[nstr] = row
                        s_col[nstr] = col
                        s_start[nstr] = sstart[k]
                        s_end[nstr] = send[k]
                        nstr += 1
                    else:
                        if tk == T_INT:
                            ev_F[row, col] = np.float64(ival[k])
                        elif tk == T_FLOAT:
                            ev_F[row, col] = fval[k]
                        elif tk == T_STR and kind == K_TIME:
                            good, value = _rfc3339(buf, sstart[k], send[k])
                            if not good:
                                t = -1
                                break
                            ev_F[row, col] = value
                        else:
                            t = -1
                            break
                if t < 0:
                    nstr = first_str
                else:
                    ev_type[row] = t
                    ev_time[row] = stamp
        if t < 0:
            slow[row] = 1
            i = pos
        while i < n and buf[i] != 10:
            i += 1
        row += 1
        if i >= n:
            return row, nstr
        pos = i + 1


def warm() -> None:
    """Compile (or load from numba's cache) the scanner with the types the reader passes."""
    count_lines(np.frombuffer(b"{}", dtype=np.uint8))
    i64 = np.zeros(1, dtype=np.int64)
    scan(np.frombuffer(b'{"event": "A"}', dtype=np.uint8), np.frombuffer(b"eventtime", dtype=np.uint8),
         np.array([0, 5, 9], dtype=np.int64), np.frombuffer(b"A", dtype=np.uint8), np.array([0, 1], dtype=np.int64),
         np.ones(1, dtype=np.int64), np.ones(1, dtype=np.int64), np.full((1, 2), -1, dtype=np.int64),
         np.zeros((1, 2), dtype=np.int64), i64.copy(), np.zeros(1),
         np.zeros((1, 1), dtype=np.int64), np.zeros((1, 1)), np.zeros(1, dtype=np.int8), i64.copy(), i64.copy(),
         i64.copy(), i64.copy(), _POW10)

// Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource): parsing with the same
// scanner rules and error texts, exact comparison, and the canonical string the apiserver writes
// back (`1024Mi` → `1Gi`, `1.5` → `1500m`, `0.5Gi` → `512Mi`). Values are exact: a BigInt
// mantissa times a power of ten, so `1.5Gi`, `500m` and `1e3` never pass through a float.
// Like Kubernetes, non-zero values finer than 1n are rounded up to 1n and BinarySI values are
// capped at 2^63-1; and when the input is already in a canonical-looking form (Kubernetes' fast
// path) the input text itself is kept, so `+1Gi` or `1.500` echo back unchanged as they do there.
// Deliberately absent: arithmetic (add/sub/mul) and JSON decoding. ParseQuantity is strict about
// whitespace; Kubernetes' JSON decoder trims it first, so a decoder should trim before calling.

export type QuantityFormat = 'BinarySI' | 'DecimalSI' | 'DecimalExponent';

export interface Quantity {
  /** The value is exactly `unscaled × 10^scale`. */
  unscaled: bigint;
  scale: number;
  format: QuantityFormat;
  /** Set when Kubernetes keeps the input string as the serialized form. */
  verbatim?: string;
}

const SPLIT_RE = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
/** Kubernetes' ErrFormatWrong text. */
export const QUANTITY_FORMAT_ERROR = `quantities must match the regular expression '${SPLIT_RE}'`;
/** Kubernetes' ErrSuffix text. */
export const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";

const MAX_INT64 = (1n << 63n) - 1n;
const NANO_SCALE = -9;
const SUFFIX_CHARS = 'eEinumkKMGTP';
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_BY_EXPONENT = new Map(Object.entries(DECIMAL_SUFFIXES).map(([s, e]) => [e, s]));
const BINARY_BY_EXPONENT = new Map(Object.entries(BINARY_SUFFIXES).map(([s, e]) => [e, s]));

interface Scanned {
  positive: boolean;
  num: string;
  denom: string;
  suffix: string;
}

/** Kubernetes' parseQuantityString: sign, integer digits (leading zeros dropped), fraction, suffix. */
function scan(str: string): Scanned | null {
  let positive = true;
  let pos = 0;
  const end = str.length;
  if (str[0] === '-') {
    positive = false;
    pos++;
  } else if (str[0] === '+') {
    pos++;
  }
  while (pos < end && str[pos] === '0') pos++;
  if (pos >= end) return { positive, num: '0', denom: '', suffix: '' };
  let i = pos;
  while (i < end && isDigit(str[i])) i++;
  const num = str.slice(pos, i) || '0';
  if (i >= end) return { positive, num, denom: '', suffix: '' };
  pos = i;
  let denom = '';
  if (str[pos] === '.') {
    pos++;
    i = pos;
    while (i < end && isDigit(str[i])) i++;
    denom = str.slice(pos, i);
    if (i >= end) return { positive, num, denom, suffix: '' };
    pos = i;
  }
  const suffixStart = pos;
  while (pos < end && SUFFIX_CHARS.includes(str[pos])) pos++;
  if (pos >= end) return { positive, num, denom, suffix: str.slice(suffixStart) };
  if (str[pos] === '-' || str[pos] === '+') pos++;
  while (pos < end && isDigit(str[pos])) pos++;
  if (pos < end) return null;
  return { positive, num, denom, suffix: str.slice(suffixStart) };
}

function interpretSuffix(suffix: string): { base: 10 | 2; exponent: number; format: QuantityFormat } | null {
  if (suffix in DECIMAL_SUFFIXES) return { base: 10, exponent: DECIMAL_SUFFIXES[suffix], format: 'DecimalSI' };
  if (suffix in BINARY_SUFFIXES) return { base: 2, exponent: BINARY_SUFFIXES[suffix], format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E')) {
    const rest = suffix.slice(1);
    if (!/^[+-]?[0-9]+$/.test(rest)) return null;
    const exponent = Number(rest);
    if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > 2 ** 31) return null;
    return { base: 10, exponent, format: 'DecimalExponent' };
  }
  return null;
}

/** The Kubernetes error text for an unparseable quantity, or null when it parses. */
export function quantityError(s: string): string | null {
  const r = parse(s);
  return typeof r === 'string' ? r : null;
}

export function isValidQuantity(s: unknown): boolean {
  if (typeof s === 'number') return Number.isFinite(s) && quantityError(String(s)) === null;
  return typeof s === 'string' && quantityError(s) === null;
}

/** Parses a quantity (a JSON number is read as its decimal text); null when invalid. */
export function parseQuantity(s: string | number): Quantity | null {
  const r = parse(typeof s === 'number' ? String(s) : s);
  return typeof r === 'string' ? null : r;
}

function parse(str: string): Quantity | string {
  if (typeof str !== 'string' || str.length === 0) return QUANTITY_FORMAT_ERROR;
  if (str === '0') return { unscaled: 0n, scale: 0, format: 'DecimalSI', verbatim: '0' };
  const sc = scan(str);
  if (!sc) return QUANTITY_FORMAT_ERROR;
  const suf = interpretSuffix(sc.suffix);
  if (!suf) return QUANTITY_SUFFIX_ERROR;
  const digits = sc.num + sc.denom;
  let unscaled = BigInt(digits);
  let scale = -sc.denom.length;
  let format = suf.format;
  if (suf.base === 10) scale += suf.exponent;
  else unscaled *= 1n << BigInt(suf.exponent);

  const verbatim = keepsInputText(sc, suf) ? str : undefined;
  if (scale < NANO_SCALE && unscaled !== 0n) {
    // Round the magnitude up to whole nanos: asking for a sliver of a resource still gets some.
    // A shift longer than the digits leaves less than 1n, so skip the (possibly huge) power.
    const shift = NANO_SCALE - scale;
    if (shift >= unscaled.toString().length) unscaled = 1n;
    else {
      const div = 10n ** BigInt(shift);
      unscaled = unscaled % div === 0n ? unscaled / div : unscaled / div + 1n;
    }
    scale = NANO_SCALE;
  }
  if (format === 'BinarySI') {
    if (scaledCompare({ unscaled, scale }, whole(MAX_INT64)) > 0) {
      unscaled = MAX_INT64;
      scale = 0;
    }
    if (unscaled !== 0n && scaledCompare({ unscaled, scale }, whole(1n)) < 0) format = 'DecimalSI';
  }
  if (!sc.positive) unscaled = -unscaled;
  const q: Quantity = { unscaled, scale, format };
  if (verbatim !== undefined) q.verbatim = verbatim;
  return q;
}

/** Kubernetes' fast path keeps the input string when it already looks canonical. */
function keepsInputText(sc: Scanned, suf: { exponent: number; format: QuantityFormat }): boolean {
  const shifted = sc.num + sc.denom;
  if (suf.format === 'BinarySI') {
    if (sc.denom.length > 0 || suf.exponent < 0) return false;
    const precision = 15 - sc.num.length - Math.trunc((suf.exponent * 3) / 10) - 1;
    if (precision < 0) return false;
    const value = BigInt(shifted);
    if (value << BigInt(suf.exponent) > MAX_INT64) return false;
    return suf.exponent % 10 === 0 && (value & 7n) !== 0n;
  }
  if (18 - shifted.length < 0) return false;
  const scale = suf.exponent - sc.denom.length;
  if (scale < NANO_SCALE) return false;
  return scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
}

interface Scaled {
  unscaled: bigint;
  scale: number;
}

const sign = (n: bigint) => (n > 0n ? 1 : n < 0n ? -1 : 0);
const digitCount = (n: bigint) => (n < 0n ? -n : n).toString().length;

/** Compares two exact values `unscaled × 10^scale`, by sign and order of magnitude first so that
 * exponents like 1e999999999 never expand into a power of ten. */
function scaledCompare(x: Scaled, y: Scaled): -1 | 0 | 1 {
  const sx = sign(x.unscaled);
  const sy = sign(y.unscaled);
  if (sx !== sy) return sx < sy ? -1 : 1;
  if (sx === 0) return 0;
  const mx = digitCount(x.unscaled) + x.scale;
  const my = digitCount(y.unscaled) + y.scale;
  if (mx !== my) return ((mx < my ? -1 : 1) * sx) as -1 | 1;
  // Same order of magnitude: the scales differ by at most the digit counts.
  const s = Math.min(x.scale, y.scale);
  const a = x.unscaled * 10n ** BigInt(x.scale - s);
  const b = y.unscaled * 10n ** BigInt(y.scale - s);
  return a < b ? -1 : a > b ? 1 : 0;
}

const whole = (n: bigint): Scaled => ({ unscaled: n, scale: 0 });

export function compareQuantity(a: Quantity, b: Quantity): -1 | 0 | 1 {
  return scaledCompare(a, b);
}

/** Nearest float of the exact value. */
export function quantityToNumber(q: Quantity): number {
  return Number.parseFloat(`${q.unscaled}e${q.scale}`);
}

/** The value rounded up (away from zero) to a whole number, as Quantity.Value() does (exact, so
 * mind that a huge exponent makes a huge number). */
export function quantityValue(q: Quantity): bigint {
  if (q.scale >= 0) return q.unscaled * 10n ** BigInt(q.scale);
  const div = 10n ** BigInt(-q.scale);
  const whole = q.unscaled / div;
  if (q.unscaled % div === 0n) return whole;
  return q.unscaled > 0n ? whole + 1n : whole - 1n;
}

export function isZeroQuantity(q: Quantity): boolean {
  return q.unscaled === 0n;
}

/** An exact, format-independent key of the value: equal values give equal keys (`1Gi`, `1073741824`). */
export function quantityKey(q: Quantity): string {
  const { rest, times } = removeFactors(q.unscaled, 10n);
  return rest === 0n ? '0' : `${rest}e${q.scale + times}`;
}

function removeFactors(v: bigint, factor: bigint): { rest: bigint; times: number } {
  let rest = v;
  let times = 0;
  while (rest !== 0n && rest % factor === 0n) {
    rest /= factor;
    times++;
  }
  return { rest, times };
}

/** The string Kubernetes serializes a quantity as (Quantity.String()). */
export function formatQuantity(q: Quantity): string {
  if (q.verbatim !== undefined) return q.verbatim;
  if (q.unscaled === 0n) return '0';
  let format = q.format;
  if (format === 'BinarySI') {
    const small = scaledCompare(q, whole(-1024n)) > 0 && scaledCompare(q, whole(1024n)) < 0;
    // Small values and values with a fraction print as DecimalSI so nothing is rounded away.
    if (!small && isWhole(q)) {
      const { rest, times } = removeFactors(quantityValue(q), 1024n);
      return `${rest}${BINARY_BY_EXPONENT.get(times * 10) ?? ''}`;
    }
    format = 'DecimalSI';
  }
  const removed = removeFactors(q.unscaled, 10n);
  let mantissa = removed.rest;
  let exponent = q.scale + removed.times;
  while (exponent % 3 !== 0) {
    mantissa *= 10n;
    exponent--;
  }
  if (format === 'DecimalExponent') return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
  // Beyond exa there is no suffix; keep the value exact by staying at E (Kubernetes would drop it).
  while (exponent > 18) {
    mantissa *= 1000n;
    exponent -= 3;
  }
  return `${mantissa}${DECIMAL_BY_EXPONENT.get(exponent) ?? ''}`;
}

function isWhole(q: Quantity): boolean {
  return q.scale >= 0 || q.unscaled % 10n ** BigInt(-q.scale) === 0n;
}

/** Kubernetes' canonical form of a quantity string; throws an Error with Kubernetes' text when invalid. */
export function canonicalQuantity(s: string | number): string {
  const r = parse(typeof s === 'number' ? String(s) : s);
  if (typeof r === 'string') throw new Error(r);
  return formatQuantity(r);
}

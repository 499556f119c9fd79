// The error texts of the Go decoders behind Kubernetes' typed JSON decoding that are not type
// mismatches: time.Parse for metav1.Time (RFC3339) and metav1.MicroTime (RFC3339 with exactly six
// fractional digits), and encoding/base64 for []byte fields. Each check returns Go's message, or
// undefined when Go would accept the value. Deliberately absent: producing time values — callers
// keep the string — and Go's other layouts.

const RFC3339 = '2006-01-02T15:04:05Z07:00';
const RFC3339_MICRO = '2006-01-02T15:04:05.000000Z07:00';

type Elem = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'micro' | 'zone';
const LAYOUT: [string, Elem, string][] = [
  ['', 'year', '2006'],
  ['-', 'month', '01'],
  ['-', 'day', '02'],
  ['T', 'hour', '15'],
  [':', 'minute', '04'],
  [':', 'second', '05'],
];

const q = (s: string) => JSON.stringify(s);
const digit = (s: string, i: number) => i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39;

/** Go's getnum: one or two digits (exactly two when fixed). */
function getnum(s: string, fixed: boolean): [number, string] | undefined {
  if (!digit(s, 0)) return undefined;
  if (!digit(s, 1)) return fixed ? undefined : [Number(s[0]), s.slice(1)];
  return [Number(s.slice(0, 2)), s.slice(2)];
}

function daysIn(month: number, year: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Go's time.Parse(RFC3339 or RFC3339Micro, value) error text, or undefined when it parses. */
export function goTimeError(value: string, micro: boolean): string | undefined {
  const layout = micro ? RFC3339_MICRO : RFC3339;
  const cannot = (rest: string, elem: string) =>
    `parsing time ${q(value)} as ${q(layout)}: cannot parse ${q(rest)} as ${q(elem)}`;
  const outOfRange = (what: string) => `parsing time ${q(value)}: ${what} out of range`;
  const fields: Partial<Record<Elem, number>> = {};
  let rest = value;
  for (const [prefix, elem, std] of LAYOUT) {
    if (!rest.startsWith(prefix)) return cannot(rest, prefix);
    rest = rest.slice(prefix.length);
    const hold = rest;
    if (elem === 'year') {
      if (rest.length < 4 || ![0, 1, 2, 3].every((i) => digit(rest, i))) return cannot(hold, std);
      fields.year = Number(rest.slice(0, 4));
      rest = rest.slice(4);
      continue;
    }
    const got = getnum(rest, elem !== 'hour');
    if (!got) return cannot(hold, std);
    [fields[elem], rest] = got;
    const v = got[0];
    if (elem === 'month' && (v < 1 || v > 12)) return outOfRange('month');
    if (elem === 'hour' && v > 23) return outOfRange('hour');
    if ((elem === 'minute' || elem === 'second') && v > 59) return outOfRange(elem);
  }
  if (micro) {
    if (rest.length < 7 || (rest[0] !== '.' && rest[0] !== ',') || ![1, 2, 3, 4, 5, 6].every((i) => digit(rest, i))) {
      return cannot(rest, '.000000');
    }
    rest = rest.slice(7);
  } else if (rest.length >= 2 && (rest[0] === '.' || rest[0] === ',') && digit(rest, 1)) {
    let i = 1;
    while (digit(rest, i)) i++;
    rest = rest.slice(i);
  }
  if (rest.startsWith('Z')) rest = rest.slice(1);
  else {
    const zone = rest;
    if (rest.length < 6 || rest[3] !== ':' || (rest[0] !== '+' && rest[0] !== '-')) return cannot(zone, 'Z07:00');
    const hh = getnum(rest.slice(1, 3), true);
    const mm = getnum(rest.slice(4, 6), true);
    if (!hh || !mm || hh[1] !== '' || mm[1] !== '') return cannot(zone, 'Z07:00');
    if (hh[0] > 24) return outOfRange('time zone offset hour');
    if (mm[0] > 60) return outOfRange('time zone offset minute');
    rest = rest.slice(6);
  }
  if (rest !== '') return `parsing time ${q(value)}: extra text: ${q(rest)}`;
  if (fields.day! < 1 || fields.day! > daysIn(fields.month!, fields.year!)) return outOfRange('day');
  return undefined;
}

const B64 = /[A-Za-z0-9+/]/;

/** Go's base64.StdEncoding.Decode error text (`illegal base64 data at input byte N`), or undefined. */
export function goBase64Error(s: string): string | undefined {
  const bad = (at: number) => `illegal base64 data at input byte ${at}`;
  let inQuantum = 0;
  let quantumStart = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\r' || c === '\n') continue;
    if (c === '=') {
      // Padding completes a quantum of 2 (==) or 3 (=) characters and must end the input.
      if (inQuantum < 2) return bad(i);
      let j = i + 1;
      if (inQuantum === 2) {
        while (s[j] === '\r' || s[j] === '\n') j++;
        if (j >= s.length) return bad(s.length);
        if (s[j] !== '=') return bad(j - 1);
        j++;
      }
      while (s[j] === '\r' || s[j] === '\n') j++;
      return j < s.length ? bad(j) : undefined;
    }
    if (!B64.test(c)) return bad(i);
    if (inQuantum === 0) quantumStart = i;
    inQuantum = (inQuantum + 1) % 4;
  }
  return inQuantum === 0 ? undefined : bad(quantumStart);
}

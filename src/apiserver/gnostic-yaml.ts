// YAML text of gnostic's Any values (Any.yaml): a JSON value as yaml.v3's Marshal of its node writes
// it. Deliberately absent: line folding (longer strings are double-quoted where yaml.v3 would fold
// them, which parses to the same value).

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);


/**
 * A JSON value as gnostic stores it in Any.yaml: yaml.v3's Marshal of the value's node (block
 * style, four-space indentation, a sequence item's mapping two columns in, strings quoted only where
 * plain text would read as something else), with a trailing newline.
 */
export function gnosticYaml(value: unknown): string {
  return render(value, 0).join('\n') + '\n';
}

/** Lines of `value` at `indent`; the first line carries no indentation (the caller places it). */
function render(value: unknown, indent: number): string[] {
  if (Array.isArray(value)) {
    if (value.length === 0) return ['[]'];
    const lines: string[] = [];
    const pad = ' '.repeat(indent);
    value.forEach((item, i) => {
      const inner = render(item, indent + 2);
      lines.push(`${i === 0 ? '' : pad}- ${inner[0]}`, ...inner.slice(1));
    });
    return lines;
  }
  if (isObject(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return ['{}'];
    const lines: string[] = [];
    const pad = ' '.repeat(indent);
    // yaml.v3: a nested block moves to the next multiple of the indentation (4).
    const childIndent = 4 * Math.floor((indent + 4) / 4);
    entries.forEach(([k, v], i) => {
      const key = `${i === 0 ? '' : pad}${scalarText(k)}:`;
      if (isBlock(v)) {
        const inner = render(v, childIndent);
        lines.push(key, ' '.repeat(childIndent) + inner[0], ...inner.slice(1));
      } else {
        lines.push(`${key} ${render(v, childIndent)[0]}`);
      }
    });
    return lines;
  }
  return [scalarText(value)];
}

/** A non-empty array or object (written as a block; empty ones are written `[]`/`{}` inline). */
function isBlock(v: unknown): boolean {
  return Array.isArray(v) ? v.length > 0 : isObject(v) && Object.keys(v).length > 0;
}

/** Words YAML 1.1 (what yaml.v2 readers such as kubectl's use) or 1.2 read as booleans or null. */
const RESERVED = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~)$/;

function scalarText(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : v > 0 ? '.inf' : v < 0 ? '-.inf' : '.nan';
  const s = String(v);
  return plainSafe(s) ? s : JSON.stringify(s);
}

/**
 * Whether a string can be written plain and read back as the same string: starts with a letter, `_`
 * or `/`, has only letters, digits, spaces and `_./,()-+=` (no `: `, ` #` or quotes), no reserved
 * word, and is short enough that yaml.v3 would not fold it.
 */
function plainSafe(s: string): boolean {
  return s.length <= 72 && /^[A-Za-z_/][A-Za-z0-9_./,()+=-]*(?: [A-Za-z0-9_./,()+=-]+)*$/.test(s) && !RESERVED.test(s);
}

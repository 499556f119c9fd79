// Kubernetes' `$(VAR)` expansion for container command, args and env values (the semantics of
// kubernetes third_party/forked/golang/expansion): `$(NAME)` becomes the variable's value when it is
// defined, and stays verbatim when it is not; `$$` is an escaped `$`; any other `$` is literal.
// Deliberately absent: shell syntax (`${VAR}`, `$VAR`), which Kubernetes leaves to the shell.

/** Expands `$(NAME)` references in `input` from `vars`. */
export function expand(input: string, vars: ReadonlyMap<string, string>): string {
  let out = '';
  let checkpoint = 0;
  for (let i = 0; i < input.length; i++) {
    if (input[i] !== '$' || i + 1 >= input.length) continue;
    out += input.slice(checkpoint, i);
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i += 1;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        // An unterminated reference is literal text.
        out += '$(';
        i += 1;
      } else {
        const name = input.slice(i + 2, close);
        const value = vars.get(name);
        out += value ?? `$(${name})`;
        i = close;
      }
    } else {
      out += `$${next}`;
      i += 1;
    }
    checkpoint = i + 1;
  }
  return out + input.slice(checkpoint);
}

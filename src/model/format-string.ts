// Reads the replacement fields of a Python `str.format` template, which is
// what Zuul uses for report messages (`Starting {pipeline.name} jobs.`), the
// MQTT topic and the SMTP subject. Checking fields at configuration time
// turns a report-time KeyError into an error the user sees when they push
// the change.

export class FormatStringError extends Error {}

export interface FormatField {
  /** The first part of the field name: `pipeline` in `{pipeline.name}`; '' for `{}`. */
  argName: string;
  /** Attribute and index steps after argName: `.name` → {attr: 'name'}, `[0]` → {index: '0'}. */
  steps: ({ attr: string } | { index: string })[];
  /** True for `{}` / `{0}`: Zuul passes no positional arguments. */
  positional: boolean;
  /** The field as written, without braces, e.g. `pipeline.name!r:>10`. */
  text: string;
}

const CONVERSIONS = new Set(['r', 's', 'a']);

/** Parses `{...}` fields of a Python format string; throws FormatStringError with Python's wording. */
export function formatStringFields(template: string): FormatField[] {
  const fields: FormatField[] = [];
  parseInto(template, fields, 0);
  return fields;
}

function parseInto(template: string, fields: FormatField[], depth: number): void {
  let i = 0;
  while (i < template.length) {
    const c = template[i];
    if (c === '{') {
      if (template[i + 1] === '{') {
        i += 2;
        continue;
      }
      const end = fieldEnd(template, i);
      const body = template.slice(i + 1, end);
      parseField(body, fields, depth);
      i = end + 1;
    } else if (c === '}') {
      if (template[i + 1] === '}') {
        i += 2;
        continue;
      }
      throw new FormatStringError("Single '}' encountered in format string");
    } else {
      i++;
    }
  }
}

/** Index of the `}` closing the field that opens at `start`. */
function fieldEnd(template: string, start: number): number {
  let depth = 1;
  let inIndex = false;
  for (let i = start + 1; i < template.length; i++) {
    const c = template[i];
    // Inside `[...]` of a field name braces are plain text.
    if (inIndex) {
      if (c === ']') inIndex = false;
      continue;
    }
    if (c === '[' && depth === 1) inIndex = true;
    else if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  throw new FormatStringError(
    start + 1 >= template.length
      ? "Single '{' encountered in format string"
      : "expected '}' before end of string",
  );
}

function parseField(body: string, fields: FormatField[], depth: number): void {
  // The field name runs to the first `!` or `:` outside an index.
  let nameEnd = body.length;
  let inIndex = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inIndex) {
      if (c === ']') inIndex = false;
    } else if (c === '[') {
      inIndex = true;
    } else if (c === '!' || c === ':') {
      nameEnd = i;
      break;
    }
  }
  const name = body.slice(0, nameEnd);
  let rest = body.slice(nameEnd);
  if (rest.startsWith('!')) {
    const conv = rest[1];
    if (conv === undefined)
      throw new FormatStringError('end of string while looking for conversion specifier');
    if (rest.length > 2 && rest[2] !== ':') {
      throw new FormatStringError("expected ':' after conversion specifier");
    }
    if (!CONVERSIONS.has(conv)) {
      throw new FormatStringError(`Unknown conversion specifier ${conv}`);
    }
    rest = rest.slice(2);
  }
  const field = parseFieldName(name);
  fields.push({ ...field, text: body });
  if (rest.startsWith(':')) {
    const spec = rest.slice(1);
    if (/[{}]/.test(spec)) {
      // Python allows replacement fields inside a format spec, one level deep.
      if (depth >= 1) throw new FormatStringError('Max string recursion exceeded');
      parseInto(spec, fields, depth + 1);
    }
  }
}

function parseFieldName(name: string): Omit<FormatField, 'text'> {
  const m = /^[^.[]*/.exec(name)!;
  const argName = m[0];
  const steps: FormatField['steps'] = [];
  let i = argName.length;
  while (i < name.length) {
    if (name[i] === '.') {
      const attr = /^[^.[]*/.exec(name.slice(i + 1))![0];
      if (!attr) throw new FormatStringError('Empty attribute in format string');
      steps.push({ attr });
      i += 1 + attr.length;
    } else {
      const close = name.indexOf(']', i);
      if (close < 0) throw new FormatStringError("Missing ']' in format string");
      const index = name.slice(i + 1, close);
      if (!index) throw new FormatStringError('Empty attribute in format string');
      steps.push({ index });
      i = close + 1;
      if (i < name.length && name[i] !== '.' && name[i] !== '[') {
        throw new FormatStringError("Only '.' or '[' may follow ']' in format field specifier");
      }
    }
  }
  return { argName, steps, positional: argName === '' || /^\d+$/.test(argName) };
}

// Typed access to a `[connection NAME]` section's options for drivers.
// Messages name the key; the registry adds the file, line and section.

import { parseBoolean } from '../lib/ini.js';
import type { ConnectionConfig } from './driver.js';

export class ConnectionOptions {
  constructor(readonly config: ConnectionConfig) {}

  get(key: string): string | undefined;
  get(key: string, fallback: string): string;
  get(key: string, fallback?: string): string | undefined {
    return this.config.options[key] ?? fallback;
  }

  /** A value that must be present and non-empty. */
  require(key: string): string {
    const v = this.config.options[key];
    if (v === undefined || v === '') {
      throw new Error(`"${key}" is required for ${this.config.driver} connections`);
    }
    return v;
  }

  int(key: string, fallback: number): number {
    const v = this.config.options[key];
    if (v === undefined) return fallback;
    if (!/^\s*[+-]?\d+\s*$/.test(v)) throw this.bad(key, v, 'an integer');
    return Number.parseInt(v, 10);
  }

  float(key: string, fallback: number): number {
    const v = this.config.options[key];
    if (v === undefined) return fallback;
    const n = Number(v.trim());
    if (v.trim() === '' || Number.isNaN(n)) throw this.bad(key, v, 'a number');
    return n;
  }

  /** true/false, yes/no, on/off, 1/0 in any case. */
  bool(key: string, fallback: boolean): boolean {
    const v = this.config.options[key];
    if (v === undefined) return fallback;
    const b = parseBoolean(v);
    if (b !== undefined) return b;
    throw this.bad(key, v, 'a boolean (true/false)');
  }

  private bad(key: string, value: string, expected: string): Error {
    return new Error(`"${key}" must be ${expected}, not ${JSON.stringify(value)}`);
  }
}

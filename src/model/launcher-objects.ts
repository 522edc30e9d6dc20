// The launcher's configuration objects: image, flavor, label, section, provider.
// Sections and providers keep driver-specific keys as raw data; the launcher
// issue flattens and validates them against the driver schema.

import type { SourceContext } from './config-error.js';

export interface Image {
  name: string;
  type: 'zuul' | 'cloud';
  description?: string;
  sourceContext: SourceContext;
}

export interface Flavor {
  name: string;
  description?: string;
  sourceContext: SourceContext;
}

export interface Label {
  name: string;
  image: string;
  flavor: string;
  description?: string;
  minReady?: number;
  maxReadyAge?: number;
  maxNodes?: number;
  sourceContext: SourceContext;
}

export interface Section {
  name: string;
  parent?: string;
  abstract: boolean;
  connection?: string;
  description?: string;
  /** Every other key, as written (images, flavors, labels, *-defaults, driver keys). */
  config: Record<string, unknown>;
  sourceContext: SourceContext;
}

export interface Provider {
  name: string;
  section: string;
  config: Record<string, unknown>;
  sourceContext: SourceContext;
}

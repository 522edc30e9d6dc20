// Launcher objects (image, flavor, label, section, provider): added with the
// usual duplicate rules, then their references checked. Flattening a
// provider over its sections and validating it against the driver's schema
// belongs to the launcher.

import type { ParsedConfig } from '../config-file.js';
import type { BuildContext } from './context.js';
import { addIdentical } from './simple-objects.js';

export function addLauncherObjects(ctx: BuildContext, config: ParsedConfig): void {
  const m = ctx.maps;
  for (const image of config.images) addIdentical(ctx, 'Image', m.images, image);
  for (const flavor of config.flavors) addIdentical(ctx, 'Flavor', m.flavors, flavor);
  for (const label of config.labels) addIdentical(ctx, 'Label', m.labels, label);
  for (const section of config.sections) addIdentical(ctx, 'Section', m.sections, section);
  for (const provider of config.providers) addIdentical(ctx, 'Provider', m.providers, provider);
}

export function validateLauncherObjects(ctx: BuildContext): void {
  const m = ctx.maps;
  for (const label of m.labels.values()) {
    if (!m.images.has(label.image)) {
      ctx.errorAt(
        label,
        `The label "${label.name}" references an unknown image "${label.image}"`,
        'Unknown',
        ['image'],
      );
    } else if (!m.flavors.has(label.flavor)) {
      ctx.errorAt(
        label,
        `The label "${label.name}" references an unknown flavor "${label.flavor}"`,
        'Unknown',
        ['flavor'],
      );
    }
  }
  for (const section of m.sections.values()) {
    if (!section.parent) continue;
    const parent = m.sections.get(section.parent);
    // Zuul fails with an internal error here; name the problem instead.
    if (!parent) {
      ctx.errorAt(
        section,
        `The section "${section.name}" references an unknown section "${section.parent}"`,
        'Unknown',
        ['parent'],
      );
    } else if (parent.sourceContext.projectCanonical !== section.sourceContext.projectCanonical) {
      ctx.errorAt(
        section,
        `The section "${section.name}" references a section in a different project.`,
        'Unknown',
        ['parent'],
      );
    }
  }
  for (const provider of m.providers.values()) {
    if (!m.sections.has(provider.section)) {
      ctx.errorAt(
        provider,
        `The provider "${provider.name}" references an unknown section "${provider.section}"`,
        'Unknown',
        ['section'],
      );
    }
  }
}

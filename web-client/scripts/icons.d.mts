// Types of scripts/icons.mjs, for the unit test that checks src/icons.css.
/** Every `fr-icon-<name>` the sources under `dir` (default src/) use, sorted. */
export function iconsUsed(dir?: string): string[];
/** src/icons.css's text for these icons. */
export function iconsCss(names: readonly string[]): string;

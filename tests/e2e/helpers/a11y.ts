/** Accessibility checks with axe-core, injected into the page under test. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

export type Impact = 'minor' | 'moderate' | 'serious' | 'critical';

export interface A11yViolation {
  id: string;
  impact: Impact | null;
  help: string;
  helpUrl: string;
  /** CSS selectors of the offending nodes, with axe's summary of what is wrong. */
  nodes: { target: string; summary: string }[];
}

let axeSource: string | undefined;
function axe(): string {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  return axeSource;
}

/** How `runAxe` reaches a page: evaluate a function with one argument, or a script's text. */
export type Evaluate = (code: string | ((arg: never) => unknown), arg?: unknown) => Promise<unknown>;

/**
 * Runs axe on the page (or on `include`, a CSS selector) and returns the violations whose
 * impact is in `impacts` (default serious and critical).
 *
 * Extension pages forbid inline scripts (MV3 CSP), so when `addScriptTag` cannot run axe it
 * is evaluated through the DevTools protocol instead, which CSP does not govern.
 */
export async function checkA11y(
  page: Page,
  options: { include?: string; impacts?: Impact[]; disableRules?: string[] } = {},
): Promise<A11yViolation[]> {
  const evaluate: Evaluate = (code, arg) => page.evaluate(code as never, arg as never);
  return runAxe(evaluate, options, () => page.addScriptTag({ content: axe() }).then(() => undefined));
}

/**
 * `checkA11y` for any browser: `evaluate` runs code in the page (a protocol's evaluation, which
 * the page's CSP does not govern); `addScript`, if given, is tried first.
 */
export async function runAxe(
  evaluate: Evaluate,
  options: { include?: string; impacts?: Impact[]; disableRules?: string[] } = {},
  addScript?: () => Promise<void>,
): Promise<A11yViolation[]> {
  const impacts = options.impacts ?? ['serious', 'critical'];
  const hasAxe = async () => (await evaluate(() => typeof (window as { axe?: unknown }).axe === 'object')) === true;
  if (!(await hasAxe())) {
    await addScript?.().catch(() => {});
    if (!(await hasAxe())) await evaluate(axe());
    if (!(await hasAxe())) throw new Error('checkA11y: could not load axe-core into the page');
  }
  const violations = await evaluate(
    (async ({ include, disableRules }: { include: string | null; disableRules: string[] }) => {
      type AxeResult = {
        violations: {
          id: string;
          impact: string | null;
          help: string;
          helpUrl: string;
          nodes: { target: unknown[]; failureSummary?: string }[];
        }[];
      };
      const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<AxeResult> } }).axe;
      const rules = Object.fromEntries(disableRules.map((id) => [id, { enabled: false }]));
      const result = await axe.run(include ?? document, { resultTypes: ['violations'], rules });
      return result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({ target: n.target.map(String).join(' '), summary: n.failureSummary ?? '' })),
      }));
    }) as (arg: never) => unknown,
    { include: options.include ?? null, disableRules: options.disableRules ?? [] },
  );
  return (violations as A11yViolation[]).filter((v) => v.impact !== null && impacts.includes(v.impact));
}

/** Readable one-line-per-node list, for assertion messages. */
export function formatViolations(violations: A11yViolation[]): string {
  return violations
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.helpUrl})\n${v.nodes.map((n) => `    ${n.target}: ${n.summary}`).join('\n')}`)
    .join('\n');
}

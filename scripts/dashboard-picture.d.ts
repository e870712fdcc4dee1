// Types of scripts/dashboard-picture.js, for the tests that call it.

/** A metric of a dashboard body's `metrics` array, CloudWatch's shorthands expanded. */
export interface ExpandedMetric {
  readonly items: string[];
  readonly options: Record<string, any>;
}

/** A line a widget shows under its title. */
export interface WidgetLine {
  readonly text: string;
  readonly note?: string;
  readonly color?: string;
}

export interface RenderOptions {
  readonly title?: string;
  readonly subtitle?: string;
  /** The whole template, for alarm details. */
  readonly template?: Record<string, any>;
}

/** The picture's grid geometry, in pixels: a widget at (x, y) of w x h units is drawn at
 * (margin + x * columnPx + gap / 2, headerPx + y * rowPx + gap / 2), w * columnPx - gap wide, h * rowPx - gap high. */
export const GRID: { columns: number; columnPx: number; rowPx: number; margin: number; headerPx: number; gap: number };

export function resolveValue(value: unknown): string;
export function dashboardsOf(template: Record<string, any>): Array<{ id: string; name: string; body: any }>;
export function expandMetrics(metrics: unknown[][]): ExpandedMetric[];
export function splitQuery(query: string): { sources: string[]; commands: string[] };
export function widgetLines(widget: Record<string, any>, template: Record<string, any>): WidgetLine[];
export function renderDashboard(body: Record<string, any>, options?: RenderOptions): string;
export function main(argv: string[]): void;

/**
 * API Gateway's choice of a REST API resource for a request path: at each level a literal path
 * part beats a `{param}`, which beats a greedy `{proxy+}` (one or more parts); the resource that
 * matches with the most specific parts from the left wins.
 */
export function matchResource(templates: readonly string[], path: string): string | undefined {
  const parts = split(path);
  let best: { template: string; rank: number[] } | undefined;
  for (const template of templates) {
    const rank = rankMatch(split(template), parts);
    if (rank && (!best || compare(rank, best.rank) < 0)) {
      best = { template, rank };
    }
  }
  return best?.template;
}

function split(path: string): string[] {
  return path.split('/').filter((p) => p !== '');
}

/** The kinds of the template's parts (0 literal, 1 param, 2 greedy) when it matches, else undefined. */
function rankMatch(template: readonly string[], parts: readonly string[]): number[] | undefined {
  const rank: number[] = [];
  for (let i = 0; i < template.length; i++) {
    const t = template[i];
    if (/^\{[^}]+\+\}$/.test(t)) {
      return i === template.length - 1 && parts.length > i ? [...rank, 2] : undefined;
    }
    if (i >= parts.length) {
      return undefined;
    }
    if (/^\{[^}]+\}$/.test(t)) {
      rank.push(1);
    } else if (t === parts[i]) {
      rank.push(0);
    } else {
      return undefined;
    }
  }
  return template.length === parts.length ? rank : undefined;
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      return a[i] - b[i];
    }
  }
  return b.length - a.length;
}

/** The path parameters of `path` under `template` (`{proxy+}` takes the rest of the path). */
export function pathParameters(template: string, path: string): Record<string, string> | null {
  const t = split(template);
  const parts = split(path);
  const params: Record<string, string> = {};
  t.forEach((part, i) => {
    const m = /^\{([^}+]+)(\+?)\}$/.exec(part);
    if (m) {
      params[m[1]] = m[2] ? parts.slice(i).join('/') : decodeURIComponent(parts[i]);
    }
  });
  return Object.keys(params).length ? params : null;
}

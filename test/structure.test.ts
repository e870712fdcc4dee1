// The shape of src/: no import circle between files, and none between the top-level folders (each
// file directly under src/ counts as a folder of its own), so the folders stack in floors and every
// import runs down a floor or stays within its folder. Read from the import statements, type-only
// imports included (a type import ties two modules as surely as a value import).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = resolve(__dirname, '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.ts$/.test(name) && !/\.d\.ts$/.test(name) && !/-function\.ts$/.test(name) ? [full] : [];
  });
}

/** The files of src/ each file imports (relative imports only: packages are not part of the shape). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    const targets: string[] = [];
    const specifiers = /^\s*(?:import|export)\s[^'";]*?from\s+'(\.[^']*)'|^\s*import\s+'(\.[^']*)'/gm;
    for (const m of text.matchAll(specifiers)) {
      const spec = m[1] ?? m[2];
      const base = resolve(dirname(file), spec);
      const target = [`${base}.ts`, join(base, 'index.ts')].find((candidate) => {
        try { return statSync(candidate).isFile(); } catch { return false; }
      });
      if (target !== undefined) targets.push(target);
    }
    graph.set(file, targets);
  }
  return graph;
}

/** The circles of a graph (its strongly connected components of more than one node, or a node importing itself). */
function circles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (node: string): void => {
    index.set(node, next); low.set(node, next); next++;
    stack.push(node); onStack.add(node);
    for (const to of graph.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node)!, index.get(to)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do { member = stack.pop()!; onStack.delete(member); component.push(member); } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

const folderOf = (file: string): string => relative(SRC, file).split('/')[0];

describe('the structure of src/', () => {
  const graph = importGraph();

  test('should have imports to read (the reader works)', () => {
    expect(graph.get(join(SRC, 'secured-api.ts'))!.length).toBeGreaterThan(5);
  });

  test('should have no import circle between files', () => {
    expect(circles(graph).map((c) => c.map((f) => relative(SRC, f)))).toEqual([]);
  });

  test('should have no import circle between top-level folders: every import runs down or stays in its folder', () => {
    const folders = new Map<string, string[]>();
    const arrows = new Map<string, string[]>();
    for (const [from, tos] of graph) {
      for (const to of tos) {
        const [a, b] = [folderOf(from), folderOf(to)];
        if (a === b) continue;
        folders.set(a, [...new Set([...(folders.get(a) ?? []), b])]);
        arrows.set(`${a} -> ${b}`, [...(arrows.get(`${a} -> ${b}`) ?? []), `${relative(SRC, from)} imports ${relative(SRC, to)}`]);
      }
    }
    const tangled = circles(folders).map((circle) => ({
      folders: circle,
      imports: [...arrows].filter(([k]) => circle.includes(k.split(' -> ')[0]) && circle.includes(k.split(' -> ')[1])).flatMap(([, v]) => v),
    }));
    expect(tangled).toEqual([]);
  });

  test('should find a circle when there is one (the check can fail)', () => {
    const planted = new Map<string, string[]>([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
    expect(circles(planted)).toEqual([['a', 'b', 'c']]);
  });
});

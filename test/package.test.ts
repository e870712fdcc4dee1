import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The README is read on npm, from the packed package: every file it points a user to must be in
 * that package, or be a link into the repository. Only the Contributing section, which is about
 * working on the repository, may name files that are in the repository alone.
 */
const ROOT = path.join(__dirname, '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
/** package.json's repository, which npm links to from the package's page. */
const REPOSITORY = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).repository.url as string).replace(/\.git$/, '');
const CONTRIBUTING = '## Contributing';

/**
 * Paths the Contributing section may name although npm does not ship them: they are "in the
 * repository" (it says so), excluded by .npmignore because they are for maintainers.
 */
const REPOSITORY_ONLY = [
  '.ci/', // CI's entry point
  '.npmignore', // what npm leaves out (projen writes it)
  '.projen/', // projen's generated task and dependency files
  '.projenrc.ts', // the project definition
  'bench/', // the benchmark
  'demo/', // `npx projen demo`
  'example/', // the example app of `npx projen example`
  'scripts/', // `npx projen dashboard-picture`
  'src/', // the TypeScript sources (lib/ holds what is shipped)
  'test/', // the tests
];

/**
 * The tarball the build writes (`dist/js/*.tgz`) is the package itself, named where the README says
 * how to make one: never a file inside it.
 */
const TARBALL = /^dist\/js\/[^/]+\.tgz$/;

/** Files and folders of the repository's top level, as git tracks them, and the build's outputs. */
function topLevel(): Set<string> {
  const tracked = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
  return new Set([...tracked.map((f) => f.split('/')[0]), 'lib', 'assets', 'dist']);
}

/** What `npm pack` would put in the package, by npm's own rules (.npmignore, package.json): its files and their sizes. */
interface Packed {
  readonly files: ReadonlyArray<{ readonly path: string; readonly size: number }>;
  readonly unpackedSize: number;
}

let packCache: Packed | undefined;
function packed(): Packed {
  if (packCache === undefined) {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    packCache = JSON.parse(out)[0] as Packed;
  }
  return packCache;
}

function packedFiles(): string[] {
  return packed().files.map((f) => f.path);
}

interface Mention {
  readonly path: string;
  readonly line: number;
  readonly inContributing: boolean;
}

/**
 * Relative paths the README names outside fenced code blocks (code blocks hold the user's own
 * files): in backticks, and as markdown link or image targets. A backticked path counts when its
 * first segment is a top-level entry of the repository; paths with placeholders (`<entry>`, `{id}`,
 * `*`, `…`) are patterns, not files. Links with absolute URLs are left out, text included.
 */
function mentions(readme: string): Mention[] {
  const roots = topLevel();
  const found: Mention[] = [];
  let fenced = false;
  let inContributing = false;
  readme.split('\n').forEach((raw, i) => {
    if (/^\s*```/.test(raw)) {
      fenced = !fenced;
      return;
    }
    if (raw.startsWith('## ')) {
      inContributing = raw.trim() === CONTRIBUTING;
    }
    if (fenced) {
      return;
    }
    const add = (p: string) => found.push({ path: p.replace(/^\.\//, ''), line: i + 1, inContributing });
    let text = raw;
    for (const link of raw.matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)) {
      if (!/^[a-z]+:|^#/.test(link[1])) {
        add(link[1].split('#')[0]);
      }
      text = text.replace(link[0], ' ');
    }
    for (const code of text.matchAll(/`([^`\s]+)`/g)) {
      const p = code[1];
      if (/[<>{}*…]/.test(p) || !/^[\w.@-]+(\/[\w.@-]+)*\/?$/.test(p)) {
        continue;
      }
      const first = p.replace(/^\.\//, '').split('/')[0];
      if (roots.has(first) && (p.includes('/') || /\.\w+$/.test(p))) {
        add(p);
      }
    }
  });
  return found;
}

function shipped(files: string[], p: string): boolean {
  const dir = p.replace(/\/$/, '');
  return files.includes(dir) || files.some((f) => f.startsWith(`${dir}/`));
}

function repositoryOnly(p: string): boolean {
  return REPOSITORY_ONLY.some((allowed) => (allowed.endsWith('/') ? `${p.replace(/\/$/, '')}/`.startsWith(allowed) : p === allowed));
}

/** lib/ and assets/ are the build's output: npm can list them only once the build made them. */
const BUILT = ['lib/', 'assets/'];
const built = (p: string) => BUILT.some((b) => p.startsWith(b));
const haveBuild = BUILT.every((b) => fs.existsSync(path.join(ROOT, b)));

/** The unpacked size the package stays under (issue 16: the testing entry once shipped aws-cdk-lib inlined, twice: 114 MB). */
const MAX_UNPACKED_BYTES = 20 * 1024 * 1024;

describe('the packed package', () => {
  (haveBuild ? test : test.skip)('should stay under 20 MB unpacked, with both builds of each entry (needs lib/ and assets/: runs after compile in `npx projen build`)', () => {
    // GIVEN
    const { files, unpackedSize } = packed();
    const largest = [...files].sort((a, b) => b.size - a.size).slice(0, 5).map((f) => `${f.path} ${f.size}`);

    // THEN: the entries are in it, so the size is of the package as published
    expect(files.map((f) => f.path)).toEqual(expect.arrayContaining(['lib/index.js', 'lib/testing/index.js', 'lib/testing/index.mjs', 'lib/runtime/index.js', 'lib/runtime/index.mjs']));
    // THEN: under the cap; a failure shows the size and the five largest files
    expect([unpackedSize < MAX_UNPACKED_BYTES, unpackedSize, largest]).toEqual([true, unpackedSize, largest]);
  });
});

describe('README against the packed package', () => {
  const files = packedFiles();
  const all = mentions(README);
  const missing = (m: Mention) => !TARBALL.test(m.path) && !shipped(files, m.path) && !(m.inContributing && repositoryOnly(m.path));
  const describeMention = (m: Mention) => `README.md:${m.line} \`${m.path}\`${m.inContributing ? '' : ' (outside Contributing: ship it, inline it or link it into the repository)'}`;

  test('should find the paths the README names', () => {
    // THEN: the parser sees paths at all, so an empty list below means something
    expect(all.map((m) => m.path)).toEqual(expect.arrayContaining(['docs/securing-an-api.md', 'docs/runtime.md', 'dist/js/cdk-secured-api@0.0.0.jsii.tgz']));
  });

  test('should ship every source file the README points a user to', () => {
    // THEN
    expect(all.filter((m) => !built(m.path)).filter(missing).map(describeMention)).toEqual([]);
  });

  (haveBuild ? test : test.skip)('should ship every built file the README points a user to (needs lib/ and assets/: runs after compile in `npx projen build`)', () => {
    // THEN
    expect(all.filter((m) => built(m.path)).filter(missing).map(describeMention)).toEqual([]);
  });

  test('should link only to files the repository has (README and docs/)', () => {
    // GIVEN
    const tracked = new Set(execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean));
    const guides = fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => fs.readFileSync(path.join(ROOT, 'docs', f), 'utf8'));
    const links = [README, ...guides].flatMap((text) => [...text.matchAll(new RegExp(`${REPOSITORY}/(?:blob|tree)/main/([^)#\\s]+)`, 'g'))].map((m) => m[1]));

    // THEN
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((p) => !tracked.has(p) && ![...tracked].some((f) => f.startsWith(`${p.replace(/\/$/, '')}/`)))).toEqual([]);
  });

  test('should point every in-page link at a heading', () => {
    // GIVEN: GitHub's and npm's anchors: lower case, punctuation dropped, spaces as hyphens
    const slugs = new Set([...README.matchAll(/^#+ (.+)$/gm)].map((h) => h[1].toLowerCase().replace(/[^\w\s-]/g, '').replace(/\s/g, '-')));
    const anchors = [...README.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]);

    // THEN
    expect(anchors.length).toBeGreaterThan(0);
    expect(anchors.filter((a) => !slugs.has(a))).toEqual([]);
  });

  test('should keep the repository-only list to paths npm does not ship', () => {
    // THEN: an entry npm ships is no exception; take it off the list
    expect(REPOSITORY_ONLY.filter((p) => shipped(files, p))).toEqual([]);
  });
});

/** GitHub's and npm's anchors of a markdown file's headings: lower case, punctuation dropped, spaces as hyphens. */
function headingSlugs(markdown: string): Set<string> {
  const outside = markdown.replace(/^\s*```[\s\S]*?^\s*```/gm, '');
  return new Set([...outside.matchAll(/^#+ (.+)$/gm)].map((h) => h[1].toLowerCase().replace(/[^\w\s-]/g, '').replace(/\s/g, '-')));
}

describe('the guides in docs/', () => {
  const GUIDES = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  const tracked = new Set(execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean));

  /** Every relative link of a markdown file (outside code), as [file it points to, anchor]. */
  const relativeLinks = (file: string) => {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8').replace(/^\s*```[\s\S]*?^\s*```/gm, '');
    return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((t) => !/^[a-z]+:/.test(t)).map((t) => {
      const [target, anchor] = t.split('#');
      return { target: target === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), target)), anchor };
    });
  };

  test('should link only to files the repository has, and to headings they have', () => {
    // GIVEN
    const broken: string[] = [];
    for (const file of GUIDES) {
      for (const { target, anchor } of relativeLinks(file)) {
        if (TARBALL.test(target)) continue;
        if (!tracked.has(target) && ![...tracked].some((f) => f.startsWith(`${target.replace(/\/$/, '')}/`))) {
          broken.push(`${file} -> ${target}`);
        } else if (anchor !== undefined && target.endsWith('.md') && !headingSlugs(fs.readFileSync(path.join(ROOT, target), 'utf8')).has(anchor)) {
          broken.push(`${file} -> ${target}#${anchor}`);
        }
      }
    }

    // THEN
    expect(GUIDES.length).toBeGreaterThan(5);
    expect(broken).toEqual([]);
  });

  test('should be linked from the README, every one of them', () => {
    // GIVEN
    const linked = new Set(relativeLinks('README.md').map((l) => l.target));

    // THEN
    expect(GUIDES.filter((g) => g !== 'README.md' && !linked.has(g))).toEqual([]);
  });
});

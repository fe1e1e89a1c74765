import { readFileSync } from 'node:fs';

/**
 * Where the time goes, from a V8 CPU profile (`npm run bench -- --profile` writes one per
 * contender into bench/profiles/): self time grouped by package (or by folder of src/, or
 * Node's own internals), and the functions with the most self time. Idle time is left out.
 *
 *   node --import tsx bench/profile-summary.ts bench/profiles/skyway.cpuprofile [top]
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function groupOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return url;
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const [first, second] = url.slice(modules + '/node_modules/'.length).split('/');
    return first?.startsWith('@') ? `${first}/${second}` : (first ?? url);
  }
  const src = /\/(src|bench|mock-services)\/(.*)$/.exec(url);
  if (src) {
    const parts = (src[2] ?? '').split('/');
    return `${src[1]}/${parts.length > 1 ? parts[0] : parts.join('/')}`;
  }
  return url;
}

function main(): void {
  const [file, topArg] = process.argv.slice(2);
  if (file === undefined) throw new Error('usage: profile-summary.ts <file.cpuprofile> [top]');
  const top = Number(topArg ?? 25);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });

  const groups = new Map<string, number>();
  const functions = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (node === undefined) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    busy += us;
    const group = groupOf(url, functionName);
    groups.set(group, (groups.get(group) ?? 0) + us);
    const name = `${functionName || '(anonymous)'} ${group}${url === '' ? '' : `:${lineNumber + 1}`}`;
    functions.set(name, (functions.get(name) ?? 0) + us);
  }

  const show = (title: string, entries: Map<string, number>) => {
    console.log(`\n${title}`);
    for (const [name, us] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(
        `${((100 * us) / busy).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`,
      );
    }
  };
  console.log(`${file}: ${(busy / 1000).toFixed(0)} ms busy (idle left out)`);
  show('self time by package / folder', groups);
  show('self time by function', functions);
}

main();

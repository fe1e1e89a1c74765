import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/**
 * Several hosts on one machine: one network namespace per host (`ip netns`, iproute2), joined
 * by point-to-point veth links, each link its own /30, so a fault on one link (taken down,
 * delayed, lossy) touches exactly the two hosts it joins. The test process is the host `root`
 * (it stays in its own namespace). Needs root; `refusal()` says why it cannot be done here.
 *
 * Names and addresses carry a random tag (namespaces `skyway-sk<6 hex>-<host>`, links
 * `sk<6 hex><n><a|b>`, addresses in a 10.<100-199>.<0-255>.0/24 no route uses yet), so two
 * runs at once do not collide; `destroy()` runs on afterAll and, failing that, on exit.
 */

export interface Impairment {
  delayMs?: number;
  lossPercent?: number;
}

export interface Network {
  /** The `ip netns exec <ns>` prefix that runs a command on `host`. */
  exec(host: string): string[];
  /** The address of `to` on its link with `from`. */
  address(from: string, to: string): string;
  linkDown(a: string, b: string): void;
  linkUp(a: string, b: string): void;
  /** Delays and drops packets both ways on the link (tc netem; nftables drops where the kernel has no netem). */
  impair(a: string, b: string, impairment: Impairment): void;
  heal(a: string, b: string): void;
  destroy(): void;
}

interface Link {
  a: string;
  b: string;
  ifA: string;
  ifB: string;
  addrA: string;
  addrB: string;
}

const live = new Set<Network>();
process.once('exit', () => {
  for (const network of live) network.destroy();
});

/** Why namespaces cannot be made here, or null when they can. */
export function refusal(): string | null {
  const probe = `skyway-sk${randomBytes(3).toString('hex')}-probe`;
  try {
    ip('netns', 'add', probe);
    ip('netns', 'del', probe);
    return null;
  } catch (error) {
    return `network namespaces refused here (ip netns add: ${firstLine(error)}); these tests need root and a kernel with network namespaces`;
  }
}

/**
 * How packets can be delayed and dropped here: `netem`, or `nft` (drops only) where the
 * kernel has no netem qdisc, or null with the reason.
 */
export function impairmentSupport(): { tool: 'netem' | 'nft' } | { tool: null; reason: string } {
  const probe = `skyway-sk${randomBytes(3).toString('hex')}-probe`;
  try {
    ip('netns', 'add', probe);
    ip('-n', probe, 'link', 'add', 'pa', 'type', 'veth', 'peer', 'name', 'pb');
    execFileSync(
      'ip',
      ['netns', 'exec', probe, 'tc', 'qdisc', 'add', 'dev', 'pa', 'root', 'netem', 'delay', '1ms'],
      { stdio: 'pipe' },
    );
    return { tool: 'netem' };
  } catch {
    try {
      execFileSync('nft', ['--version'], { stdio: 'ignore' });
      return { tool: 'nft' };
    } catch {
      return {
        tool: null,
        reason:
          'this kernel has no netem qdisc (CONFIG_NET_SCH_NETEM) and nft is not installed: apt-get install -y nftables',
      };
    }
  } finally {
    try {
      ip('netns', 'del', probe);
    } catch {}
  }
}

/** Hosts `hosts` (plus `root`, the test process) joined by `links`. */
export function createNetwork(hosts: string[], links: Array<[string, string]>): Network {
  const tag = `sk${randomBytes(3).toString('hex')}`;
  const subnet = freeSubnet();
  const ns = (host: string) => `skyway-${tag}-${host}`;
  const made: string[] = [];
  const wired: Link[] = links.map(([a, b], i) => ({
    a,
    b,
    ifA: `${tag}${i}a`,
    ifB: `${tag}${i}b`,
    addrA: `${subnet}.${4 * i + 1}`,
    addrB: `${subnet}.${4 * i + 2}`,
  }));
  const inNs = (host: string, ...args: string[]) =>
    host === 'root' ? ip(...args) : ip('-n', ns(host), ...args);
  const linkOf = (a: string, b: string): { link: Link; side: 'a' | 'b' } => {
    const link = wired.find((l) => (l.a === a && l.b === b) || (l.a === b && l.b === a));
    if (!link) throw new Error(`no link between ${a} and ${b}`);
    return { link, side: link.a === a ? 'a' : 'b' };
  };
  let destroyed = false;
  let support: ReturnType<typeof impairmentSupport> | undefined;

  const network: Network = {
    exec: (host) => ['ip', 'netns', 'exec', ns(host)],
    address(from, to) {
      const { link, side } = linkOf(from, to);
      return side === 'a' ? link.addrB : link.addrA;
    },
    linkDown(a, b) {
      const { link } = linkOf(a, b);
      inNs(link.a, 'link', 'set', link.ifA, 'down');
      inNs(link.b, 'link', 'set', link.ifB, 'down');
    },
    linkUp(a, b) {
      const { link } = linkOf(a, b);
      inNs(link.a, 'link', 'set', link.ifA, 'up');
      inNs(link.b, 'link', 'set', link.ifB, 'up');
    },
    impair(a, b, { delayMs = 0, lossPercent = 0 }) {
      const { link } = linkOf(a, b);
      support ??= impairmentSupport();
      if (support.tool === null) throw new Error(support.reason);
      for (const [host, iface] of [
        [link.a, link.ifA],
        [link.b, link.ifB],
      ] as const) {
        if (support.tool === 'netem') {
          run(host, [
            'tc',
            'qdisc',
            'replace',
            'dev',
            iface,
            'root',
            'netem',
            'delay',
            `${delayMs}ms`,
            'loss',
            `${lossPercent}%`,
          ]);
        } else {
          // No netem: nftables drops a random share of the packets leaving on the link.
          const table = `${tag}${iface}`;
          run(host, ['nft', 'add', 'table', 'inet', table]);
          run(host, [
            'nft',
            'add',
            'chain',
            'inet',
            table,
            'out',
            '{ type filter hook output priority 0; }',
          ]);
          run(host, [
            'nft',
            'add',
            'rule',
            'inet',
            table,
            'out',
            'oifname',
            iface,
            'numgen',
            'random',
            'mod',
            '100',
            '<',
            String(lossPercent),
            'drop',
          ]);
        }
      }
    },
    heal(a, b) {
      const { link } = linkOf(a, b);
      for (const [host, iface] of [
        [link.a, link.ifA],
        [link.b, link.ifB],
      ] as const) {
        for (const command of [
          ['tc', 'qdisc', 'del', 'dev', iface, 'root'],
          ['nft', 'delete', 'table', 'inet', `${tag}${iface}`],
        ]) {
          try {
            run(host, command);
          } catch {}
        }
      }
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      live.delete(network);
      for (const name of made) {
        try {
          ip('netns', 'del', name);
        } catch {}
      }
      // Links ending in root go with their other end; these are the ones between two roots.
      for (const link of wired) {
        try {
          if (link.a === 'root') ip('link', 'del', link.ifA);
        } catch {}
      }
    },
  };
  live.add(network);

  try {
    for (const host of hosts) {
      ip('netns', 'add', ns(host));
      made.push(ns(host));
      inNs(host, 'link', 'set', 'lo', 'up');
    }
    for (const link of wired) {
      ip('link', 'add', link.ifA, 'type', 'veth', 'peer', 'name', link.ifB);
      for (const [host, iface, addr] of [
        [link.a, link.ifA, link.addrA],
        [link.b, link.ifB, link.addrB],
      ] as const) {
        if (host !== 'root') ip('link', 'set', iface, 'netns', ns(host));
        inNs(host, 'addr', 'add', `${addr}/30`, 'dev', iface);
        inNs(host, 'link', 'set', iface, 'up');
      }
    }
  } catch (error) {
    network.destroy();
    throw error;
  }

  /** Runs `command` on `host`. */
  function run(host: string, command: string[]): void {
    const full = host === 'root' ? command : ['ip', 'netns', 'exec', ns(host), ...command];
    execFileSync(full[0] as string, full.slice(1), { stdio: 'pipe' });
  }
  return network;
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: 'pipe' });
}

/** A 10.x.y.0/24 no route of this machine uses yet. */
function freeSubnet(): string {
  const routes = execFileSync('ip', ['-o', 'route'], { encoding: 'utf8' });
  for (;;) {
    const subnet = `10.${100 + Math.floor(Math.random() * 100)}.${Math.floor(Math.random() * 256)}`;
    if (!routes.includes(`${subnet}.`)) return subnet;
  }
}

function firstLine(error: unknown): string {
  const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
  return (stderr || (error as Error).message).split('\n')[0] ?? '';
}

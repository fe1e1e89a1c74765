import { describe, expect, it } from 'vitest';
import { addressBudget } from '../../src/rate-limit/address-budget.js';

describe('addressBudget', () => {
  it('gives an IPv4 address a budget of its own', () => {
    expect(addressBudget('203.0.113.7')).toBe('203.0.113.7');
    expect(addressBudget('203.0.113.8')).not.toBe(addressBudget('203.0.113.7'));
  });

  it('groups an IPv6 address with its /64, however it is written', () => {
    expect(addressBudget('2001:db8::7')).toBe('2001:db8::/64');
    expect(addressBudget('2001:DB8:0:0:ffff:ffff:ffff:ffff')).toBe('2001:db8::/64');
    expect(addressBudget('2001:db8:0:1::7')).toBe('2001:db8:0:1::/64');
    expect(addressBudget('fe80::1%eth0')).toBe('fe80::/64');
  });

  it('reads an IPv4 address a dual-stack socket reports as IPv6 as the IPv4 address', () => {
    // Not one /64 (::ffff:0:0/96 is inside ::/64) shared by every IPv4 client.
    expect(addressBudget('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressBudget('::ffff:203.0.113.8')).toBe('203.0.113.8');
  });

  it("never reads another form as an IPv4 address's budget, nor fails on a zone", () => {
    // IPv4-compatible (deprecated), which ipaddr.js alone reads as mapped.
    expect(addressBudget('::203.0.113.7')).toBe('::/64');
    expect(addressBudget('0:0:0:0:0:ffff:cb00:7107')).toBe('203.0.113.7');
    // Node calls it an address, ipaddr.js throws on it.
    expect(addressBudget('fe80::1%eth-0')).toBe('fe80::/64');
  });

  it('uses anything that is not an IP address as it is', () => {
    expect(addressBudget('unknown')).toBe('unknown');
    expect(addressBudget('0177.0.0.1')).toBe('0177.0.0.1');
  });
});

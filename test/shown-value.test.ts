import { describe, expect, it } from 'vitest';
import { shownValue } from '../src/shown-value.js';

/** What a configuration message shows of a value: never a password, however mistyped. */

describe('shownValue', () => {
  it.each([
    ['redis://:s3cret@redis:6379', '"redis://***@redis:6379"'],
    [
      'redis+sentinel://user:s3cret@h1:26379,h2:26379/main',
      '"redis+sentinel://***@h1:26379,h2:26379/main"',
    ],
    ['redis//:s3cret@redis:6379', '"redis//***@redis:6379"'],
    [' redis://:s3cret@redis:6379', '" redis://***@redis:6379"'],
    ['redis://:pa/ss#w@rd@redis:6379', '"redis://***@redis:6379"'],
    ['redis:s3cret@redis:6379', '"redis:***@redis:6379"'],
    ['redis:/:s3cret@h:6379', '"redis:/***@h:6379"'],
    ['redis+cluster:/user:s3cret@h1:7000', '"redis+cluster:/***@h1:7000"'],
    ['redis+sentinel://:correct s3cret horse@h1:26379', '"redis+sentinel://***@h1:26379"'],
    ['redis://h:6379/0#password=s3cret;x=1', '"redis://h:6379/0#password=***;x=***"'],
    ['redis+sentinel://h:26379/m#pw=s3cret', '"redis+sentinel://h:26379/m#pw=***"'],
    ['redis://h:6379/0?sentinelPassword=s3 cret', '"redis://h:6379/0?sentinelPassword=***"'],
    [
      'redis+sentinel://h1:26379/main?sentinelPassword=s3cret&db=1',
      '"redis+sentinel://h1:26379/main?sentinelPassword=***&db=***"',
    ],
  ])('masks the credentials of %j', (value, shown) => {
    expect(shownValue(value)).toBe(shown);
    expect(shownValue(value)).not.toMatch(/s3|cret|pa\/ss/);
  });

  it('shows other values as they are, quoted', () => {
    expect(shownValue('-5')).toBe('"-5"');
    expect(shownValue('memory')).toBe('"memory"');
    expect(shownValue(undefined)).toBe('nothing');
  });

  it('cuts a long value, saying how long it was', () => {
    expect(shownValue('9'.repeat(10_000))).toBe(`"${'9'.repeat(200)}"… (cut at 200 characters)`);
  });
});

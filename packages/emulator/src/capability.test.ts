import { describe, expect, it } from 'vitest';
import { capabilityAllows, intersectCapability, parseCapability, resourceMatches } from './capability.js';

describe('resourceMatches', () => {
  it.each([
    ['*', 'chat', true],
    ['*', 'chat:room:1', true],
    ['chat:*', 'chat:room', true],
    ['chat:*', 'chat:room:1', true],
    ['chat:*', 'chat', false],
    ['chat:*', 'chatroom', false],
    ['foo:*:baz', 'foo:bar:baz', true],
    ['foo:*:baz', 'foo:bar:bam:baz', false],
    ['foo*', 'foobar', false],
    ['foo*', 'foo*', true],
    ['[*]*', '[meta]channel.lifecycle', true],
    ['*', '[?rewind=1]chat', true],
    ['chat', '[filter=bmFtZQ==]chat', true],
    ['[filter]chat', '[filter=bmFtZQ==]chat', true],
    ['[filter]chat', 'chat', false],
    ['[*]chat', 'chat', true],
    ['*', '[meta]x', false],
  ])('%s covers %s: %s', (pattern, name, expected) => {
    expect(resourceMatches(pattern, name)).toBe(expected);
  });
});

describe('capabilities', () => {
  it('checks operations', () => {
    expect(() => parseCapability({ a: ['publish_'] })).toThrow(/unknown operation/);
    expect(() => parseCapability({ a: ['*', 'publish'] })).toThrow(/must be alone/);
    expect(() => parseCapability({ a: [] })).toThrow(/empty/);
    expect(() => parseCapability('[]')).toThrow(/Invalid capability/);
    expect(parseCapability('{"a:*":["presence","message-update-own"]}')).toEqual({
      'a:*': ['presence', 'message-update-own'],
    });
  });

  it('intersects resources both ways and merges operations', () => {
    const merged = intersectCapability({ 'ns:*': ['publish'], 'ns:x': ['subscribe'] }, { 'ns:x': ['*'] });
    expect(merged['ns:x']?.sort()).toEqual(['publish', 'subscribe']);
    expect(intersectCapability({ 'ns:*': ['*'] }, { '*': ['history'] })).toEqual({ 'ns:*': ['history'] });
    expect(intersectCapability({ '*': ['*'] }, { a: ['*'] })).toEqual({ a: ['*'] });
    expect(() => intersectCapability({ a: ['publish'] }, { b: ['publish'] })).toThrow(/nothing in common/);
    expect(capabilityAllows({ 'ns:*': ['presence'] }, 'ns:room', 'presence')).toBe(true);
  });
});

import assert from 'node:assert/strict';
import { IdInterner, InteractionBuilder } from '../../../src/runtime/data/interaction-builder.js';

const build = (b: InteractionBuilder, extra: Partial<Parameters<InteractionBuilder['build']>[0]> = {}) => {
  const logs: string[] = [];
  const d = b.build({ inputs: [], withParts: false, label: 't', log: (m) => logs.push(m), ...extra });
  return { d, logs };
};

describe('InteractionBuilder', () => {
  it('makes dense ids in numeric order of the original ids and sorts pairs by (user, item)', () => {
    const b = new InteractionBuilder();
    b.add(10, 300);
    b.add(2, 7);
    b.add(10, 7);
    b.add(2, 300);
    const { d } = build(b);
    assert.equal(d.numUsers, 2);
    assert.equal(d.numItems, 2);
    assert.deepEqual(d.userIds, ['2', '10']);
    assert.deepEqual(d.itemIds, ['7', '300']);
    assert.deepEqual([...d.users], [0, 0, 1, 1]);
    assert.deepEqual([...d.items], [0, 1, 0, 1]);
    assert.equal(d.part, null);
  });

  it('gives null id lists when dense ids equal the original ids', () => {
    const b = new InteractionBuilder();
    b.add(1, 0);
    b.add(0, 1);
    const { d } = build(b);
    assert.equal(d.userIds, null);
    assert.equal(d.itemIds, null);
  });

  it('handles sparse huge ids without a dense lookup table', () => {
    const b = new InteractionBuilder();
    b.add(2_000_000_000, 5);
    b.add(3, 1_999_999_999);
    const { d } = build(b);
    assert.deepEqual(d.userIds, ['3', '2000000000']);
    assert.deepEqual(d.itemIds, ['5', '1999999999']);
    assert.deepEqual([...d.users], [0, 1]);
    assert.deepEqual([...d.items], [1, 0]);
  });

  it('drops repeated pairs, keeps a pair in both parts in part 0 and reports both', () => {
    const b = new InteractionBuilder();
    b.add(0, 1, 0);
    b.add(0, 1, 0);
    b.add(0, 1, 1);
    b.add(0, 1, 1);
    b.add(0, 2, 1);
    b.add(1, 3, 1);
    b.add(1, 3, 0);
    const { d, logs } = build(b, { withParts: true, partNames: ['a.txt', 'b.txt'] });
    assert.deepEqual([...d.items], [0, 1, 2]); // items 1,2,3 -> 0,1,2
    assert.deepEqual([...d.part!], [0, 1, 0]);
    assert.deepEqual(logs, ['t: dropped 1 repeated (user, item) pair', 't: 2 (user, item) pairs are in both a.txt and b.txt; kept in a.txt only']);
  });

  it('counts users that have no pairs', () => {
    const b = new InteractionBuilder();
    b.add(0, 0);
    b.addUser(2);
    const { d } = build(b);
    assert.equal(d.numUsers, 2);
    assert.deepEqual(d.userIds, ['0', '2']);
  });

  it('orders string ids numerically when all are integers, else by text', () => {
    const users = new IdInterner();
    const items = new IdInterner();
    const b = new InteractionBuilder();
    for (const [u, i] of [['10', 'b'], ['9', 'B'], ['007', 'a'], ['7', 'a']] as const) b.add(users.id(u), items.id(i));
    const { d } = build(b, { userNames: users.names, itemNames: items.names });
    assert.deepEqual(d.userIds, ['007', '7', '9', '10']);
    assert.deepEqual(d.itemIds, ['B', 'a', 'b']);
    assert.deepEqual([...d.users], [0, 1, 2, 3]);
    assert.deepEqual([...d.items], [1, 1, 0, 2]);
  });

  it('remaps per-item attributes to dense ids', () => {
    const b = new InteractionBuilder();
    b.add(0, 5);
    b.add(0, 9);
    const { d } = build(b, { itemTypesByRaw: Int32Array.from([0, 0, 0, 0, 0, 3, 0, 0, 0, 4]) });
    assert.deepEqual([...d.itemTypes!], [3, 4]);
  });
});

import assert from 'node:assert/strict';
import { adagrad } from '../../../src/components/optimizers/adagrad.js';
import { adamw } from '../../../src/components/optimizers/adamw.js';
import { multistep } from '../../../src/components/schedules/multistep.js';
import { selectBackend } from '../../../src/runtime/backend/select-backend.js';

/*
 * Agreement with PyTorch 1.13 (float64): test/fixtures/torch-optimizers.py ran torch.optim.Adagrad
 * and torch.optim.AdamW for three steps on the 2 x 2 table P0 with the gradients GRADS, with
 * MultiStepLR(milestones=[2], gamma=0.5) stepped after each step; the rows below are its printed
 * parameters after steps 1, 2 and 3 (pasted once). Here the same three steps run with
 * multistep(milestones: [2], gamma: 0.5) giving the lr factor of "epoch" 0, 1, 2.
 *
 * Hand check of Adagrad step 1, element 0: g = 0.3 + 0.01 * 0.5 = 0.305, s = 0.1 + 0.305^2 = 0.193025,
 * p = 0.5 - 0.1 * 0.305 / sqrt(0.193025) = 0.430578649...; AdamW step 1, element 2 (no gradient):
 * p = 2 (1 - 0.01 * 0.1) = 1.998 (the decay is decoupled, Adam's step is 0).
 */
const P0 = [0.5, -1.0, 2.0, 0.0];
const GRADS = [
  [0.3, -0.2, 0.0, 1.5],
  [-0.1, 0.4, 0.0, -0.5],
  [0.2, 0.2, 0.0, 0.1],
];
const TORCH = {
  adagrad: [
    [0.4305786493967603, -0.9446793461883208, 1.993688055971014, -0.09784921095163336],
    [0.4518607269932583, -1.0163879635750854, 1.9874084503242133, -0.06678569424071183],
    [0.43115937061248016, -1.0328446472848947, 1.9842846514595331, -0.06985944857931375],
  ],
  adamw: [
    [0.4895000003333333, -0.9890000004999999, 1.998, -0.00999999993333333],
    [0.48500104839457, -0.9916670775174073, 1.996002, -0.01399945201556574],
    [0.48173824883287925, -0.9937674696044697, 1.9950039990000001, -0.01574509904216622],
  ],
};
const OPTS = {
  adagrad: adagrad.bind({ lr: 0.1, eps: 1e-10, initial_accumulator: 0.1, weight_decay: 0.01 }),
  adamw: adamw.bind({ lr: 0.01, beta1: 0.9, beta2: 0.99, eps: 1e-8, weight_decay: 0.1 }),
};
const schedule = multistep.bind({ milestones: [2], gamma: 0.5 });

describe('optimizers: adagrad and adamw agree with torch.optim (numbers computed with PyTorch 1.13)', () => {
  for (const name of ['adagrad', 'adamw'] as const) {
    it(`${name}: float64 reference = torch to 1e-14 over 3 steps, the third at the scheduled half lr`, () => {
      const opt = OPTS[name];
      const p = Float64Array.from(P0);
      const slots = Object.fromEntries(opt.slots.map((s) => [s, new Float64Array(4)]));
      GRADS.forEach((g, step) => {
        opt.reference(p, Float64Array.from(g), slots, null, 2, step + 1, schedule.lrFactor(step));
        TORCH[name][step]!.forEach((want, i) => assert.ok(Math.abs(p[i]! - want) < 1e-14, `step ${step + 1} [${i}]: ${p[i]} vs torch ${want}`));
      });
    });

    it(`${name}: without the schedule the third step differs from torch's (the test sees the lr)`, () => {
      const opt = OPTS[name];
      const p = Float64Array.from(P0);
      const slots = Object.fromEntries(opt.slots.map((s) => [s, new Float64Array(4)]));
      GRADS.forEach((g, step) => opt.reference(p, Float64Array.from(g), slots, null, 2, step + 1));
      assert.ok(Math.abs(p[0]! - TORCH[name][2]![0]!) > 1e-4);
    });

    it(`${name}: tfjs (cpu) = torch in float32`, async () => {
      const { tf } = await selectBackend('cpu');
      const opt = OPTS[name];
      const before = tf.memory().numTensors;
      const param = tf.tidy(() => tf.variable(tf.tensor2d(P0, [2, 2])));
      const slots = tf.tidy(() => Object.fromEntries(opt.slots.map((s) => [s, tf.variable(tf.zeros([2, 2]), false)])));
      GRADS.forEach((g, step) => {
        tf.tidy(() => opt.tf(tf, param, tf.tensor2d(g, [2, 2]), slots, step + 1, null, schedule.lrFactor(step)));
        const got = param.dataSync();
        TORCH[name][step]!.forEach((want, i) => assert.ok(Math.abs(got[i]! - want) < 2e-6, `step ${step + 1} [${i}]: ${got[i]} vs torch ${want}`));
      });
      tf.dispose([param, ...Object.values(slots)]);
      assert.equal(tf.memory().numTensors, before, 'tensors leaked');
    });
  }

  it('multistep: factor gamma^(milestones <= epoch), as MultiStepLR stepped once per epoch', () => {
    const s = multistep.bind({ milestones: [2, 5], gamma: 0.1 });
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map((e) => s.lrFactor(e)), [1, 1, 0.1, 0.1, 0.1, Math.pow(0.1, 2), Math.pow(0.1, 2)]);
    assert.equal(multistep.bind({}).lrFactor(1000), 1, 'no milestones: the lr throughout');
  });
});

/**
 * The explicit catalogue of components (no side-effect registration): the compiler resolves
 * names and validates parameters against these specs; the runtime binds the same components to
 * their behaviour (bindModel). Adding a component: its file, its entry here, its test
 * (docs/adding-a-component.md).
 */
import type { ComponentSpec, Slot, TrainingComponent } from '../contract/component.js';
import type { DatasetSpec } from '../contract/dataset-spec.js';
import type { JsonObject } from '../core/json.js';
import { UserError } from '../core/errors.js';
import type { BackpropBehaviour, EncoderBehaviour, LossBehaviour, OptimizerBehaviour, RegularizerBehaviour, SamplerBehaviour, ScheduleBehaviour, TrainingModel } from '../contract/training.js';
import { both } from './backprop/both.js';
import { onebp } from './backprop/onebp.js';
import { userOnly } from './backprop/user-only.js';
import { csvSpec } from './datasets/csv.js';
import { lightgcnSpec } from './datasets/lightgcn.js';
import { movielens100kSpec } from './datasets/movielens-100k.js';
import { syntheticSpec } from './datasets/synthetic.js';
import { lightgcn } from './encoders/lightgcn.js';
import { mf } from './encoders/mf.js';
import { ngcf } from './encoders/ngcf.js';
import { svdpp } from './encoders/svdpp.js';
import { bce } from './losses/bce.js';
import { bpr } from './losses/bpr.js';
import { ccl } from './losses/ccl.js';
import { dnsContrastive } from './losses/dns-contrastive.js';
import { infonce } from './losses/infonce.js';
import { softmax } from './losses/softmax.js';
import { adagrad } from './optimizers/adagrad.js';
import { adam } from './optimizers/adam.js';
import { adamw } from './optimizers/adamw.js';
import { sgd } from './optimizers/sgd.js';
import { l2 } from './regularizers/l2.js';
import { allItems } from './samplers/all-items.js';
import { crossBatch } from './samplers/cross-batch.js';
import { dynamicDissimilar } from './samplers/dynamic-dissimilar.js';
import { multistep } from './schedules/multistep.js';
import { hard } from './samplers/hard.js';
import { hars } from './samplers/hars.js';
import { inBatch } from './samplers/in-batch.js';
import { mixed } from './samplers/mixed.js';
import { popularity } from './samplers/popularity.js';
import { uniform } from './samplers/uniform.js';
import { holdoutSpec } from './splits/holdout.js';
import { predefinedSpec } from './splits/predefined.js';

export { RUN_SLOTS, type RunSlot } from '../contract/component.js';

/** The training components of each slot: what bindModel and the engines' tables range over. */
export const ENCODERS: readonly TrainingComponent<EncoderBehaviour>[] = [mf, lightgcn, svdpp, ngcf];
export const SAMPLERS: readonly TrainingComponent<SamplerBehaviour>[] = [uniform, popularity, inBatch, hard, hars, crossBatch, mixed, dynamicDissimilar, allItems];
export const LOSSES: readonly TrainingComponent<LossBehaviour>[] = [infonce, bpr, bce, ccl, dnsContrastive, softmax];
export const BACKPROPS: readonly TrainingComponent<BackpropBehaviour>[] = [both, onebp, userOnly];
export const OPTIMIZERS: readonly TrainingComponent<OptimizerBehaviour>[] = [adam, sgd, adagrad, adamw];
export const REGULARIZERS: readonly TrainingComponent<RegularizerBehaviour>[] = [l2];
export const SCHEDULES: readonly TrainingComponent<ScheduleBehaviour>[] = [multistep];

export const COMPONENTS: readonly ComponentSpec[] = [
  movielens100kSpec,
  lightgcnSpec,
  csvSpec,
  syntheticSpec,
  holdoutSpec,
  predefinedSpec,
  ...ENCODERS,
  ...SAMPLERS,
  ...LOSSES,
  ...BACKPROPS,
  ...OPTIMIZERS,
  ...REGULARIZERS,
  ...SCHEDULES,
];

export function componentsOf(slot: Slot): ComponentSpec[] {
  return COMPONENTS.filter((c) => c.slot === slot);
}

/** Finds a component by its name or an alias. */
export function findComponent(slot: Slot, name: string): ComponentSpec | undefined {
  return COMPONENTS.find((c) => c.slot === slot && (c.name === name || c.aliases?.includes(name)));
}

/** Finds a component of any slot (for "'uniform' is a sampler, not a loss"). */
export function findAnySlot(name: string): ComponentSpec | undefined {
  return COMPONENTS.find((c) => c.name === name || c.aliases?.includes(name));
}

export function isDatasetSpec(c: ComponentSpec): c is DatasetSpec {
  return c.slot === 'dataset';
}

export function datasetIsPresplit(spec: DatasetSpec, params: Record<string, unknown>): boolean {
  return typeof spec.presplit === 'function' ? spec.presplit(params) : spec.presplit;
}

/** A chosen component as the runtime receives it: a name and validated parameters. */
export interface ComponentChoice {
  name: string;
  params: JsonObject;
}

/** The components of one trial. */
export interface ModelChoice {
  encoder: ComponentChoice;
  sampler: ComponentChoice;
  loss: ComponentChoice;
  backprop: ComponentChoice;
  optimizer: ComponentChoice;
  regularizer?: ComponentChoice | undefined;
  schedule?: ComponentChoice | undefined;
}

function bindOne<B>(list: readonly TrainingComponent<B>[], slot: string, c: ComponentChoice): B {
  const comp = list.find((x) => x.name === c.name || x.aliases?.includes(c.name));
  if (!comp) throw new UserError(`there is no ${slot} '${c.name}' in this version of expc (known: ${list.map((x) => x.name).join(', ')})`);
  return comp.bind(c.params);
}

/** Binds every chosen component to its behaviour (parameters validated against its schema). */
export function bindModel(choice: ModelChoice): TrainingModel {
  return {
    encoder: bindOne(ENCODERS, 'encoder', choice.encoder),
    sampler: bindOne(SAMPLERS, 'sampler', choice.sampler),
    loss: bindOne(LOSSES, 'loss', choice.loss),
    backprop: bindOne(BACKPROPS, 'backprop', choice.backprop),
    optimizer: bindOne(OPTIMIZERS, 'optimizer', choice.optimizer),
    regularizer: choice.regularizer ? bindOne(REGULARIZERS, 'regularizer', choice.regularizer) : null,
    schedule: choice.schedule ? bindOne(SCHEDULES, 'schedule', choice.schedule) : null,
    names: {
      encoder: choice.encoder.name,
      sampler: choice.sampler.name,
      loss: choice.loss.name,
      backprop: choice.backprop.name,
      optimizer: choice.optimizer.name,
      regularizer: choice.regularizer?.name ?? null,
      schedule: choice.schedule?.name ?? null,
    },
  };
}

/** Every component the conformance runner knows, keyed by golden file base name. */
import type { Component } from '../component.js';
import { resmlpAffine } from './resmlp-affine.js';
import { xcitComponents } from './xcit-components.js';
import { resmlpBlockComponent } from './resmlp-block.js';
import { resmlpModelComponent } from './resmlp-model.js';
import { dinoHeadComponent } from './dino-head.js';
import { deepclusterPreprocess } from './deepcluster-preprocess.js';
import { deepclusterKmeans } from './deepcluster-kmeans.js';
import { deepclusterUnifSampler } from './deepcluster-unif-sampler.js';
import { deeperclusterTargets } from './deepercluster-targets.js';
import { dinoLoss } from './dino-loss.js';
import { dinoCosineScheduler } from './dino-cosine-scheduler.js';
import { swavSinkhorn } from './swav-sinkhorn.js';
import { swavLoss } from './swav-loss.js';
import { pawsSharpen } from './paws-sharpen.js';
import { pawsSnn } from './paws-snn.js';
import { pawsLoss } from './paws-loss.js';
import { larsSuncet, larsSwav } from './lars.js';
import { vitAttentionComponent } from './vit-attention.js';
import { vitBlockComponent } from './vit-block.js';
import { vitPatchEmbedComponent } from './vit-patch-embed.js';
import { vitModelComponent } from './vit-model.js';
import { regnetBlockComponent } from './regnet-block.js';
import { regnetModelComponent } from './regnet-model.js';
import { swavQueueComponent } from './swav-queue.js';
import { dinoTrainStepComponent } from './dino-train-step.js';

const all: readonly Component[] = [resmlpAffine, resmlpBlockComponent, resmlpModelComponent, dinoHeadComponent, ...xcitComponents, deepclusterPreprocess, deepclusterKmeans, deepclusterUnifSampler, deeperclusterTargets, dinoLoss, dinoCosineScheduler, swavSinkhorn, swavLoss, pawsSharpen, pawsSnn, pawsLoss, larsSuncet, larsSwav, vitAttentionComponent, vitBlockComponent, vitPatchEmbedComponent, vitModelComponent, regnetBlockComponent, regnetModelComponent, swavQueueComponent, dinoTrainStepComponent];

/** Every conformance component (what a golden file's `component` names), by name. */
export const components: Readonly<Record<string, Component>> = Object.fromEntries(all.map((c) => [c.name, c]));

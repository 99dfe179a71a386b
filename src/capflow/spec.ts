/**
 * CapFlow as data: the nine visual domains (MetaCaptioner paper, Table 1),
 * their router prompts and confusable-case rules, the agents of each domain
 * workflow, a prompt per agent role (short, concrete, one job each — written
 * for small models), a summary outline per domain, and the judge rubric.
 * Changing the workflow is changing this file.
 */
import type { AgentId, DomainId } from '../shared/record';

/** The role of a VLM agent. */
export type AgentRole = 'guideline' | 'perception' | 'reasoning' | 'coder';

/**
 * Which images a VLM agent sees: the whole input (an image, or as many of a
 * video's frames as the model takes in one prompt, spread over the video),
 * or a video's frames in groups of that size, one step per group, each note
 * stamped with its frames' times.
 */
export type FrameUse = 'all' | 'groups';

/**
 * What an agent is: a prompted role on the VLM, a prompted role on the text
 * model over earlier agents' notes (`reads`), or the OCR tool.
 */
export type AgentSpec =
  | {
      readonly kind: 'vlm';
      readonly role: AgentRole;
      readonly label: string;
      readonly prompt: string;
      readonly maxNewTokens: number;
      readonly frames?: FrameUse;
    }
  | {
      readonly kind: 'notes';
      readonly role: AgentRole;
      readonly label: string;
      readonly prompt: string;
      readonly maxNewTokens: number;
      readonly reads: readonly AgentId[];
    }
  | { readonly kind: 'ocr'; readonly role: 'tool'; readonly label: string };

/** Every agent. */
export const AGENTS = Object.freeze({
  'visual-guideline': {
    kind: 'vlm',
    role: 'guideline',
    label: 'visual guideline',
    prompt:
      'Give a short overview of this image: what kind of visual it is, its main subject, its style, how it is laid out, and the setting or place if visible.',
    maxNewTokens: 96,
  },
  'video-guideline': {
    kind: 'vlm',
    role: 'guideline',
    label: 'video guideline',
    prompt:
      'These are frames of one video in time order. Give a short overview: what kind of video it is, the main subject, the setting, and the overall storyline.',
    maxNewTokens: 96,
  },
  'natural-perception': {
    kind: 'vlm',
    role: 'perception',
    label: 'natural perception',
    prompt:
      'List the visible objects and people with their colours, materials, shapes, sizes and positions (left, right, front, back). Only what you can see.',
    maxNewTokens: 160,
  },
  'structure-perception': {
    kind: 'vlm',
    role: 'perception',
    label: 'structure perception',
    prompt:
      'Describe the chart, plot, diagram or formula: its type, title, axes and units, legend entries, and the exact values, labels and symbols shown.',
    maxNewTokens: 160,
  },
  'infographic-perception': {
    kind: 'vlm',
    role: 'perception',
    label: 'infographic perception',
    prompt:
      'Describe the layout of this page or graphic: its sections, headings, tables, icons and figures, in reading order, with the key numbers and labels.',
    maxNewTokens: 160,
  },
  'ui-perception': {
    kind: 'vlm',
    role: 'perception',
    label: 'UI perception',
    prompt:
      'Describe this screen: the app or site, its regions, every button, field, menu and toggle with its label and state (selected, disabled, filled in).',
    maxNewTokens: 160,
  },
  'texture-perception': {
    kind: 'vlm',
    role: 'perception',
    label: 'texture perception',
    prompt:
      'Describe the look of this image: medium (render, painting, photo, illustration), colours, lighting, textures, composition and notable details.',
    maxNewTokens: 160,
  },
  'video-perception': {
    kind: 'vlm',
    role: 'perception',
    label: 'video perception',
    prompt:
      'These are frames of one video in time order. For each moment, list who or what is visible, their actions and positions, and what changes.',
    maxNewTokens: 160,
    // Small VLMs lose track of many images in one prompt: each group of frames gets its own look.
    frames: 'groups',
  },
  'general-reasoning': {
    kind: 'vlm',
    role: 'reasoning',
    label: 'general reasoning',
    prompt:
      'Explain what this image means: the relations between its parts, what is happening, and its purpose. Only reason from what is visible.',
    maxNewTokens: 128,
  },
  'medical-reasoning': {
    kind: 'vlm',
    role: 'reasoning',
    label: 'medical reasoning',
    prompt:
      'Name the imaging modality, the body part or specimen, and describe the visible findings and anatomy. Do not diagnose beyond what is visible.',
    maxNewTokens: 128,
  },
  'knowledge-reasoning': {
    kind: 'vlm',
    role: 'reasoning',
    label: 'knowledge reasoning',
    prompt:
      'Explain the concept this diagram teaches: the subject area, what each labelled part is, and how the parts relate. Stay with what is shown.',
    maxNewTokens: 128,
  },
  'video-reasoning': {
    // Reasons over the whole timeline, which no small VLM sees at once: the perception notes, timestamped.
    kind: 'notes',
    role: 'reasoning',
    label: 'video reasoning',
    prompt:
      'These are timestamped notes on one video, in time order. Explain the sequence of events: what changes between moments, what causes what, and the purpose of the video. Only reason from the notes.',
    maxNewTokens: 128,
    reads: ['video-perception'],
  },
  coder: {
    kind: 'vlm',
    role: 'coder',
    label: 'coder',
    prompt:
      'Transcribe the code in this image exactly, keeping indentation. Then name the programming language and say in one sentence what the code does.',
    maxNewTokens: 256,
  },
  ocr: { kind: 'ocr', role: 'tool', label: 'OCR' },
} as const satisfies Record<AgentId, AgentSpec>);

/** One domain: how to recognise it, its agents and how its summary is organised. */
export interface DomainSpec {
  readonly label: string;
  readonly definition: string;
  /** Rules for confusable cases, shown to the VLM when it decides the domain. */
  readonly rules: readonly string[];
  /** Zero-shot router text prompts (CLIP/SigLIP). */
  readonly routerPrompts: readonly string[];
  readonly agents: readonly AgentId[];
  readonly summary: 'general' | 'video';
  /** What the caption covers, in order (the summary agent's outline). */
  readonly outline: readonly string[];
}

const GENERAL_OUTLINE_END = ['the purpose or message of the image'];

/** The nine domains (order = the letters of the VLM multiple-choice question). */
export const DOMAINS = Object.freeze({
  natural: {
    label: 'natural',
    definition: 'Photos of real scenes, people, animals, objects and places.',
    rules: ['A photo of a screen showing an app is UI, not natural.'],
    routerPrompts: ['a photo of a real scene', 'a photograph of people or animals', 'a photo of everyday objects'],
    agents: ['natural-perception', 'general-reasoning', 'visual-guideline'],
    summary: 'general',
    outline: [
      'type of photo and main subject',
      'the scene and setting',
      'salient objects with attributes and positions',
      ...GENERAL_OUTLINE_END,
    ],
  },
  'structure-math': {
    label: 'structure & math',
    definition: 'Charts, plots, tables of numbers, geometry figures and formulas.',
    rules: ['A chart inside a document is structure & math when its numbers dominate the image.'],
    routerPrompts: ['a bar chart or line plot', 'a geometry figure', 'a mathematical formula'],
    agents: ['structure-perception', 'infographic-perception', 'general-reasoning', 'visual-guideline'],
    summary: 'general',
    outline: [
      'chart or figure type and title',
      'axes, units and legend',
      'exact values and trends',
      ...GENERAL_OUTLINE_END,
    ],
  },
  'infographic-document': {
    label: 'infographic & document',
    definition: 'Text-heavy pages: documents, posters, slides, forms, receipts, tables and infographics.',
    rules: ['A page made mostly of prose or form fields is a document even if it contains a small chart.'],
    routerPrompts: ['a scanned document page', 'a poster or slide with text', 'a receipt or form'],
    agents: ['infographic-perception', 'ocr', 'general-reasoning', 'visual-guideline'],
    summary: 'general',
    outline: [
      'document type and title',
      'sections in reading order',
      'exact key text and numbers',
      ...GENERAL_OUTLINE_END,
    ],
  },
  medical: {
    label: 'medical & bio-imaging',
    definition: 'X-rays, CT, MRI, ultrasound, microscopy, pathology slides and other clinical or biological images.',
    rules: ['A photo of a doctor at work is natural; the scan itself is medical.'],
    routerPrompts: ['an x-ray or ct scan', 'a microscope image of cells', 'a medical ultrasound image'],
    agents: ['natural-perception', 'medical-reasoning', 'visual-guideline'],
    summary: 'general',
    outline: [
      'modality and body part or specimen',
      'visible anatomy and findings',
      'notable marks or labels',
      ...GENERAL_OUTLINE_END,
    ],
  },
  ui: {
    label: 'UI & interaction',
    definition: 'Screenshots of apps, websites, dialogs and device screens.',
    rules: [
      'A screenshot of a code editor or IDE is code, not UI.',
      'A rendered illustration that only looks like an interface is synthetic.',
    ],
    routerPrompts: ['a screenshot of a mobile app', 'a screenshot of a website', 'a software dialog window'],
    agents: ['ui-perception', 'ocr', 'general-reasoning'],
    summary: 'general',
    outline: [
      'app or site and screen',
      'layout regions',
      'controls with labels and states',
      'what the user can do here',
    ],
  },
  code: {
    label: 'code & programming',
    definition: 'Screenshots of source code, terminals and IDEs.',
    rules: ['Any image whose main content is source code is code, even inside an app window.'],
    routerPrompts: ['a screenshot of source code', 'a code editor with syntax highlighting', 'a terminal window'],
    agents: ['coder', 'general-reasoning', 'visual-guideline'],
    summary: 'general',
    outline: ['language and environment', 'the code, exactly', 'what the code does', ...GENERAL_OUTLINE_END],
  },
  knowledge: {
    label: 'knowledge & education',
    definition: 'Textbook and educational diagrams: science illustrations, labelled processes, maps for teaching.',
    rules: ['A labelled diagram that teaches a concept is knowledge; a data chart is structure & math.'],
    routerPrompts: [
      'a textbook science diagram',
      'an educational illustration with labels',
      'a diagram of a natural process',
    ],
    agents: ['infographic-perception', 'knowledge-reasoning', 'visual-guideline'],
    summary: 'general',
    outline: ['subject and diagram type', 'labelled parts', 'how the parts relate', 'the concept taught'],
  },
  synthetic: {
    label: 'synthetic & aesthetic',
    definition: 'Renders, digital art, illustrations, AI-generated images and designs.',
    rules: ['A mock-up of an app screen drawn as art is synthetic; a real screenshot is UI.'],
    routerPrompts: ['a digital illustration', 'a 3d render', 'an ai generated artwork'],
    agents: ['texture-perception', 'general-reasoning', 'visual-guideline'],
    summary: 'general',
    outline: ['medium and subject', 'composition and style', 'colours, lighting and textures', ...GENERAL_OUTLINE_END],
  },
  video: {
    label: 'video & temporal',
    definition: 'Several frames of one video, in time order.',
    rules: ['Videos always take this workflow.'],
    routerPrompts: ['a frame from a video'],
    agents: ['video-perception', 'video-reasoning', 'video-guideline'],
    summary: 'video',
    outline: [
      'type of video and subject',
      'events in order with timestamps',
      'causes and effects',
      'the purpose of the video',
    ],
  },
} as const satisfies Record<DomainId, DomainSpec>);

/** Domain ids in question order. */
export const DOMAIN_IDS: readonly DomainId[] = Object.freeze([
  'natural',
  'structure-math',
  'infographic-document',
  'medical',
  'ui',
  'code',
  'knowledge',
  'synthetic',
  'video',
]);

/** Judge dimensions (scored 1–3), for images and for videos. */
export const JUDGE_DIMENSIONS = Object.freeze({
  image: ['factual accuracy', 'completeness', 'reasoning rigor', 'core intent', 'professionalism'],
  video: [
    'temporal and factual accuracy',
    'event and detail coverage',
    'temporal causal logic',
    'core intent',
    'professionalism',
  ],
} as const);

/**
 * The agent roles whose notes a judge dimension depends on: a further
 * attempt re-runs (sampled) the domain's agents of these roles before the
 * summary. Professionalism is the summary's own wording; the OCR tool is
 * deterministic, so re-running it cannot help.
 */
export const DIMENSION_ROLES: Readonly<Record<string, readonly AgentRole[]>> = Object.freeze({
  'factual accuracy': ['perception', 'coder'],
  completeness: ['perception', 'guideline'],
  'reasoning rigor': ['reasoning'],
  'core intent': ['guideline'],
  professionalism: [],
  'temporal and factual accuracy': ['perception'],
  'event and detail coverage': ['perception', 'guideline'],
  'temporal causal logic': ['reasoning'],
});

/**
 * The judge's token budget: five "name: score" lines, the video rubric's
 * names being longest, with room for a model that adds a few words.
 */
export const JUDGE_MAX_NEW_TOKENS = 128;

/** Zero-shot confidence below which the VLM decides the domain. */
export const ROUTER_CONFIDENCE_THRESHOLD = 0.6;
/** CLIP's logit scale for turning similarities into a softmax. */
export const ROUTER_LOGIT_SCALE = 100;

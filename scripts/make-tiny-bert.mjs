// Generates BERT-architecture models for the tests and benchmarks, deterministically, with no download:
//   <out>/onnx/model.onnx      embeddings (word + position + type) -> LayerNorm -> N self-attention
//                              blocks with the attention mask -> GELU FFN -> LayerNorm
//   <out>/tokenizer.json       WordPiece (lower-cased BERT normalizer, [CLS] ... [SEP] template)
//   <out>/tokenizer_config.json, <out>/config.json (model_type "bert")
// It exercises the same transformers.js path as a real model (tokenizer -> ONNX -> pooling), so the
// tests cover the product's code, not a mock.
//
// Shapes:
//   tiny    (default) 1 layer, hidden 32, 2 heads, FFN 64, ~600 tokens, 128 positions: for unit tests.
//   minilm  all-MiniLM-L6-v2's exact shape: 6 layers, hidden 384, 12 heads, FFN 1536, vocab 30,522,
//           512 positions (about 90 MB, a few seconds to write). Random weights, so its vectors mean
//           nothing; its cost per text is the real model's. The vocabulary is the headlines' own words
//           plus ## pieces, padded to 30,522, so texts tokenize into realistic lengths. For benchmarks.
// Usage: node scripts/make-tiny-bert.mjs [outDir] [--shape tiny|minilm]
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { onnx } = require('onnx-proto');

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const shapeAt = args.indexOf('--shape');
const SHAPE = shapeAt >= 0 ? args[shapeAt + 1] : 'tiny';
const positional = shapeAt < 0 ? args : args.filter((_, i) => i !== shapeAt && i !== shapeAt + 1);
if (SHAPE !== 'tiny' && SHAPE !== 'minilm') throw new Error(`--shape must be tiny or minilm, got ${SHAPE}`);
const outDir = resolve(positional[0] ?? join(here, '..', 'test', 'fixtures', SHAPE === 'tiny' ? 'tiny-bert' : 'minilm-shaped'));

const SHAPES = {
  tiny: { layers: 1, hidden: 32, heads: 2, ffn: 64, positions: 128, vocabSize: undefined, name: 'tiny-bert' },
  minilm: { layers: 6, hidden: 384, heads: 12, ffn: 1536, positions: 512, vocabSize: 30522, name: 'minilm-shaped' },
};
const { layers: LAYERS, hidden: HIDDEN, heads: HEADS, ffn: FFN, positions: MAX_POSITIONS, vocabSize: VOCAB_SIZE, name: MODEL_NAME } = SHAPES[SHAPE];
const HEAD_DIM = HIDDEN / HEADS;
const SEED = 20261123;

// ---------------------------------------------------------------------------------------------
// Vocabulary: specials, single characters (plain and ## continuation, so nothing ASCII is [UNK]),
// common English words and the headline vocabulary (disasters, news).
const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
const CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789.,;:!?\'"()[]{}-_/\\@#$%&*+=<>~`^|'.split('');
const SUFFIXES = ['s', 'es', 'ed', 'ing', 'ly', 'er', 'est', 'ion', 'tion', 'ment', 'ness', 'able'];
const WORDS = `the of and to a in is it you that he was for on are with as i his they be at one have
this from or had by not word but what some we can out other were all there when up use your how said
an each she which do their time if will way about many then them write would like so these her long
make thing see him two has look more day could go come did number sound no most people my over know
water than call first who may down side been now find any new work part take get place made live where
after back little only round man year came show every good me give our under name very through just
form sentence great think say help low line differ turn cause much mean before move right boy old too
same tell does set three want air well also play small end put home read hand port large spell add even
land here must big high such follow act why ask men change went light kind off need house picture try us
again animal point mother world near build self earth father head stand own page should country found
answer school grow study still learn plant cover food sun four between state keep eye never last let
thought city tree cross farm hard start might story saw far sea draw left late run while press close
night real life few north open seem together next white children begin got walk example ease paper group
always music those both mark often letter until mile river car feet care second book carry took science
eat room friend began idea fish mountain stop once base hear horse cut sure watch color face wood main
enough plain girl usual young ready above ever red list though feel talk bird soon body dog family direct
pose leave song measure door product black short numeral class wind question happen complete ship area
half rock order fire south problem piece told knew pass since top whole king space heard best hour better
true during hundred five remember step early hold west ground interest reach fast verb sing listen six
table travel less morning ten simple several vowel toward war lay against pattern slow center love person
money serve appear road map rain rule govern pull cold notice voice unit power town fine certain fly fall
lead cry dark machine note wait plan figure star box noun field rest correct able pound done beauty drive
stood contain front teach week final gave green oh quick develop ocean warm free minute strong special
mind behind clear tail produce fact street inch multiply nothing course stay wheel full force blue object
decide surface deep moon island foot system busy test record boat common gold possible plane stead dry
wonder laugh thousand ago ran check game shape equate hot miss brought heat snow tire bring yes distant
fill east paint language among earthquake flood storm hurricane tornado wildfire fires killed dead death
deaths injured rescue emergency disaster evacuate evacuated evacuation quake tsunami damage damaged
destroyed victims police army government president minister report reports news says said people
police crash accident explosion bomb attack attacks shooting hospital relief aid help medical million
billion percent market stock stocks company shares sales price prices bank banks oil gas energy election
vote votes party court judge trial law health virus outbreak disease flu cases patients weather heavy
warning alert missing survivors toll rises hit hits struck strikes collapse collapsed buildings homes
roads bridge coast coastal region province county village villages residents thousands hundreds
officials authorities national international today yesterday tomorrow monday tuesday wednesday
thursday friday saturday sunday january february march april may june july august september october
november december spam email mail free offer click money subscribe unsubscribe http www com net org
dear friend please send receive message account password security update business opportunity`
  .split(/\s+/)
  .filter((w) => w.length > 0);

function buildTinyVocab() {
  const vocab = new Map();
  const add = (token) => {
    if (!vocab.has(token)) vocab.set(token, vocab.size);
  };
  SPECIALS.forEach(add);
  CHARS.forEach(add);
  CHARS.forEach((c) => add(`##${c}`));
  SUFFIXES.forEach((s) => add(`##${s}`));
  WORDS.forEach(add);
  return vocab;
}

/**
 * A BERT-like 30,522-token vocabulary for the headlines: BERT's special layout ([PAD] 0, [unused*],
 * [UNK] 100, [CLS] 101, [SEP] 102, [MASK] 103), characters and ## characters, the tiny vocabulary's
 * words, every headline word seen at least twice (most frequent first), ## suffix pieces, two- and
 * three-letter ## pieces, the headline words' beginnings, then two- and three-letter word starts
 * until the size is reached. Words seen once split into pieces, as rare words do in the real one.
 */
function buildMiniLmVocab(size) {
  const vocab = new Map();
  const add = (token) => {
    if (vocab.size < size && !vocab.has(token)) vocab.set(token, vocab.size);
  };
  add('[PAD]');
  for (let i = 0; i < 99; i++) add(`[unused${i}]`);
  ['[UNK]', '[CLS]', '[SEP]', '[MASK]'].forEach(add);
  CHARS.forEach(add);
  CHARS.forEach((c) => add(`##${c}`));
  WORDS.forEach(add);
  const counts = new Map();
  for (const text of headlineTexts()) {
    for (const word of text.toLowerCase().match(/[a-z0-9]+|[^\sa-z0-9]/g) ?? []) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  [...counts].filter(([, n]) => n >= 2).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).forEach(([w]) => add(w));
  [...SUFFIXES, 'ers', 'ings', 'ies', 'ity', 'al', 'ic', 'ous', 'ive', 'ful', 'less'].forEach((p) => add(`##${p}`));
  const letters = 'abcdefghijklmnopqrstuvwxyz'.split('');
  for (const a of letters) for (const b of letters) add(`##${a}${b}`);
  for (const a of letters) for (const b of letters) for (const c of letters) add(`##${a}${b}${c}`);
  // Word beginnings of the rarer words (most common first), as a real vocabulary has "vol" for "volcano".
  const starts = new Map();
  for (const [word] of counts) {
    for (let n = 3; n <= Math.min(6, word.length - 1); n++) starts.set(word.slice(0, n), (starts.get(word.slice(0, n)) ?? 0) + 1);
  }
  [...starts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).forEach(([w]) => add(w));
  for (const a of letters) for (const b of letters) add(`${a}${b}`);
  for (const a of letters) for (const b of letters) for (const c of letters) add(`${a}${b}${c}`);
  if (vocab.size !== size) throw new Error(`vocabulary has ${vocab.size} tokens, wanted ${size}`);
  return vocab;
}

/** The disaster headlines when the shared datasets are next to the repo, else the bundled sample. */
function headlineTexts() {
  const shared = join(here, '..', '..', 'shared', 'datasets', 'disaster-headlines');
  if (existsSync(shared)) {
    return readdirSync(shared)
      .filter((f) => f.endsWith('.csv'))
      .sort()
      .flatMap((f) => readFileSync(join(shared, f), 'utf8').split('\n'))
      .map((line) => line.split(',')[1] ?? '')
      .filter((t) => t.trim() !== '');
  }
  const sample = join(here, '..', 'sample', 'headlines.jsonl');
  return readFileSync(sample, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).text);
}

// ---------------------------------------------------------------------------------------------
// Seeded weights: mulberry32 + Box-Muller (the same generator as src/core/random.ts).
function createRng(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => {
    const u = Math.max(next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
  };
  return { next, normal };
}

const rng = createRng(SEED);
const initializers = [];

function floatTensor(name, dims, values) {
  const data = Float32Array.from(values);
  initializers.push({
    name,
    dims,
    dataType: onnx.TensorProto.DataType.FLOAT,
    rawData: new Uint8Array(data.buffer),
  });
  return name;
}
function randomTensor(name, dims, std) {
  const size = dims.reduce((a, b) => a * b, 1);
  return floatTensor(name, dims, Array.from({ length: size }, () => rng.normal() * std));
}
function constTensor(name, dims, value) {
  const size = dims.reduce((a, b) => a * b, 1);
  return floatTensor(name, dims, new Array(size).fill(value));
}
function int64Tensor(name, values) {
  const data = BigInt64Array.from(values.map((v) => BigInt(v)));
  initializers.push({
    name,
    dims: [values.length],
    dataType: onnx.TensorProto.DataType.INT64,
    rawData: new Uint8Array(data.buffer),
  });
  return name;
}
function scalarInt64(name, value) {
  const data = BigInt64Array.from([BigInt(value)]);
  initializers.push({ name, dims: [], dataType: onnx.TensorProto.DataType.INT64, rawData: new Uint8Array(data.buffer) });
  return name;
}

/** Creates a named constant (or node) once; later layers reuse it. */
const shared = new Map();
function once(name, make) {
  if (!shared.has(name)) shared.set(name, make());
  return shared.get(name);
}

const nodes = [];
let counter = 0;
function node(opType, inputs, attributes = {}) {
  const output = `${opType.toLowerCase()}_${counter++}`;
  const attribute = Object.entries(attributes).map(([name, value]) => {
    if (Array.isArray(value)) return { name, ints: value, type: onnx.AttributeProto.AttributeType.INTS };
    if (Number.isInteger(value)) return { name, i: value, type: onnx.AttributeProto.AttributeType.INT };
    return { name, f: value, type: onnx.AttributeProto.AttributeType.FLOAT };
  });
  nodes.push({ opType, input: inputs, output: [output], name: output, attribute });
  return output;
}

function layerNorm(x, prefix) {
  const scale = constTensor(`${prefix}.weight`, [HIDDEN], 1);
  const bias = constTensor(`${prefix}.bias`, [HIDDEN], 0);
  return node('LayerNormalization', [x, scale, bias], { axis: -1, epsilon: 1e-12 });
}
function linear(x, prefix, inDim, outDim) {
  const w = randomTensor(`${prefix}.weight`, [inDim, outDim], 1 / Math.sqrt(inDim));
  const b = randomTensor(`${prefix}.bias`, [outDim], 0.02);
  return node('Add', [node('MatMul', [x, w]), b]);
}

function encoderLayer(embedded, p) {
  // Self-attention; padded positions get -10000 before the softmax, as in BERT.
  const splitShape = once('split', () => int64Tensor('split_heads_shape', [0, 0, HEADS, HEAD_DIM]));
  const heads = (t, perm) => node('Transpose', [node('Reshape', [t, splitShape])], { perm });
  const q = heads(linear(embedded, `${p}attention.query`, HIDDEN, HIDDEN), [0, 2, 1, 3]);
  const kT = heads(linear(embedded, `${p}attention.key`, HIDDEN, HIDDEN), [0, 2, 3, 1]);
  const v = heads(linear(embedded, `${p}attention.value`, HIDDEN, HIDDEN), [0, 2, 1, 3]);
  const scale = once('scale', () => constTensor('attention.scale', [], 1 / Math.sqrt(HEAD_DIM)));
  const scores = node('Mul', [node('MatMul', [q, kT]), scale]);
  const bias4d = once('mask', () => {
    const maskFloat = node('Cast', ['attention_mask'], { to: onnx.TensorProto.DataType.FLOAT });
    const inverted = node('Sub', [constTensor('one_float', [], 1), maskFloat]);
    const bias = node('Mul', [inverted, constTensor('mask_value', [], -10000)]);
    return node('Unsqueeze', [bias, int64Tensor('mask_axes', [1, 2])]);
  });
  const probs = node('Softmax', [node('Add', [scores, bias4d])], { axis: -1 });
  const context = node('MatMul', [probs, v]);
  const merged = node('Reshape', [
    node('Transpose', [context], { perm: [0, 2, 1, 3] }),
    once('merge', () => int64Tensor('merge_heads_shape', [0, 0, HIDDEN])),
  ]);
  const attended = linear(merged, `${p}attention.output`, HIDDEN, HIDDEN);
  const afterAttention = layerNorm(node('Add', [attended, embedded]), `${p}attention.LayerNorm`);

  // FFN with exact GELU: x * 0.5 * (1 + erf(x / sqrt(2))); Gelu is not an opset-17 operator.
  const hidden = linear(afterAttention, `${p}intermediate`, HIDDEN, FFN);
  const erf = node('Erf', [node('Mul', [hidden, once('isq', () => constTensor('inv_sqrt2', [], Math.SQRT1_2))])]);
  const gelu = node('Mul', [node('Mul', [hidden, once('half', () => constTensor('half', [], 0.5))]), node('Add', [erf, 'one_float'])]);
  const ffnOut = linear(gelu, `${p}output`, FFN, HIDDEN);
  return layerNorm(node('Add', [ffnOut, afterAttention]), `${p}output.LayerNorm`);
}

function buildGraph(vocabSize) {
  // Embeddings. Position ids are 0..seq-1, computed from the input's shape.
  const wordEmb = randomTensor('embeddings.word_embeddings.weight', [vocabSize, HIDDEN], 1);
  const posEmb = randomTensor('embeddings.position_embeddings.weight', [MAX_POSITIONS, HIDDEN], 0.3);
  const typeEmb = randomTensor('embeddings.token_type_embeddings.weight', [2, HIDDEN], 0.3);
  const words = node('Gather', [wordEmb, 'input_ids']);
  const shape = node('Shape', ['input_ids']);
  const seqLen = node('Gather', [shape, scalarInt64('one_scalar', 1)], { axis: 0 });
  const positions = node('Range', [scalarInt64('zero_scalar', 0), seqLen, 'one_scalar']);
  const pos = node('Gather', [posEmb, positions]);
  const types = node('Gather', [typeEmb, 'token_type_ids']);
  let x = layerNorm(node('Add', [node('Add', [words, pos]), types]), 'embeddings.LayerNorm');
  // One layer keeps the tiny fixture's original tensor names; more layers are numbered as in BERT.
  for (let layer = 0; layer < LAYERS; layer++) x = encoderLayer(x, LAYERS === 1 ? '' : `encoder.layer.${layer}.`);
  nodes.push({ opType: 'Identity', input: [x], output: ['last_hidden_state'], name: 'last_hidden_state' });
  const int64Input = (name) => ({
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.INT64,
        shape: { dim: [{ dimParam: 'batch_size' }, { dimParam: 'sequence_length' }] },
      },
    },
  });
  return {
    name: MODEL_NAME,
    node: nodes,
    initializer: initializers,
    input: [int64Input('input_ids'), int64Input('attention_mask'), int64Input('token_type_ids')],
    output: [
      {
        name: 'last_hidden_state',
        type: {
          tensorType: {
            elemType: onnx.TensorProto.DataType.FLOAT,
            shape: { dim: [{ dimParam: 'batch_size' }, { dimParam: 'sequence_length' }, { dimValue: HIDDEN }] },
          },
        },
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
function tokenizerJson(vocab) {
  const special = (token) => ({
    id: vocab.get(token),
    content: token,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const tok = (id) => ({ SpecialToken: { id, type_id: 0 } });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIALS.map(special),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [tok('[CLS]'), { Sequence: { id: 'A', type_id: 0 } }, tok('[SEP]')],
      pair: [
        tok('[CLS]'),
        { Sequence: { id: 'A', type_id: 0 } },
        tok('[SEP]'),
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: Object.fromEntries(
        ['[CLS]', '[SEP]'].map((t) => [t, { id: t, ids: [vocab.get(t)], tokens: [t] }]),
      ),
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab),
    },
  };
}

function writeAtomic(file, data) {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

const vocab = VOCAB_SIZE === undefined ? buildTinyVocab() : buildMiniLmVocab(VOCAB_SIZE);
const model = {
  irVersion: 8,
  opsetImport: [{ domain: '', version: 17 }],
  producerName: 'active-label make-tiny-bert',
  producerVersion: '1',
  graph: buildGraph(vocab.size),
};
const bytes = onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();

writeAtomic(
  join(outDir, 'config.json'),
  JSON.stringify(
    {
      model_type: 'bert',
      architectures: ['BertModel'],
      hidden_size: HIDDEN,
      num_attention_heads: HEADS,
      num_hidden_layers: LAYERS,
      intermediate_size: FFN,
      hidden_act: 'gelu',
      max_position_embeddings: MAX_POSITIONS,
      type_vocab_size: 2,
      vocab_size: vocab.size,
      layer_norm_eps: 1e-12,
      pad_token_id: 0,
    },
    null,
    2,
  ),
);
writeAtomic(
  join(outDir, 'tokenizer_config.json'),
  JSON.stringify(
    {
      tokenizer_class: 'BertTokenizer',
      do_lower_case: true,
      model_max_length: MAX_POSITIONS,
      cls_token: '[CLS]',
      sep_token: '[SEP]',
      pad_token: '[PAD]',
      unk_token: '[UNK]',
      mask_token: '[MASK]',
      clean_up_tokenization_spaces: true,
    },
    null,
    2,
  ),
);
writeAtomic(join(outDir, 'tokenizer.json'), JSON.stringify(tokenizerJson(vocab)));
// The model last: its presence marks a complete fixture (see test/fixtures/tinyModel.ts).
writeAtomic(join(outDir, 'onnx', 'model.onnx'), bytes);
console.log(`${MODEL_NAME}: ${LAYERS} layers, vocab ${vocab.size}, hidden ${HIDDEN}, ${bytes.length} bytes -> ${outDir}`);

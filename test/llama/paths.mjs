// Where the live llama.cpp prerequisites live. test/llama/setup.mjs writes here; the
// server helper and the live tests read from here. The cache is outside the clone, so
// every clone on the machine shares one build (it takes minutes on 2 cores).
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The npm package whose tarball carries llama.cpp's source as a git bundle (llama/gitRelease.bundle). */
export const NODE_LLAMA_CPP_VERSION = '3.22.1';

export const cacheDir =
  process.env.GPT_OSS_LLAMA_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'gpt-oss-harmony', 'llama');

/** The unpacked npm tarball (`npm pack`, no install scripts). */
export const packageDir = join(cacheDir, 'npm', `node-llama-cpp-${NODE_LLAMA_CPP_VERSION}`, 'package');
export const bundleFile = join(packageDir, 'llama', 'gitRelease.bundle');
export const sourceDir = join(cacheDir, `src-${NODE_LLAMA_CPP_VERSION}`);
export const buildDir = join(cacheDir, `build-${NODE_LLAMA_CPP_VERSION}`);

/** The built server, copied out of the build tree. */
export const binDir = join(cacheDir, 'bin');
export const llamaServer = join(binDir, 'llama-server');

/**
 * Configure flags that keep the build offline (no web-UI download, no OpenSSL) and portable.
 * Part of the build stamp: changing them rebuilds.
 */
export const CMAKE_FLAGS = [
  '-DCMAKE_BUILD_TYPE=Release',
  '-DLLAMA_OPENSSL=OFF',
  '-DLLAMA_BUILD_TESTS=OFF',
  '-DLLAMA_BUILD_EXAMPLES=OFF',
  '-DLLAMA_BUILD_UI=OFF',
  '-DLLAMA_USE_PREBUILT_UI=OFF',
  '-DGGML_NATIVE=OFF',
  '-DBUILD_SHARED_LIBS=OFF',
];
export const BUILD_TARGETS = ['llama-server'];

/** Written after a successful build; must equal `buildStampContent` for the binary to count as current. */
export const buildStampFile = join(binDir, 'build.json');
export const buildStampContent = JSON.stringify({ nodeLlamaCpp: NODE_LLAMA_CPP_VERSION, flags: CMAKE_FLAGS, targets: BUILD_TARGETS });

export const modelsDir = join(cacheDir, 'models');
/** Random small weights, real o200k_harmony vocabulary, official chat template. */
export const randomModel = join(modelsDir, 'tiny-gpt-oss-random.gguf');
/**
 * Weights crafted so that the model itself says one scripted Harmony answer whatever the sampler
 * (see makeModels.mjs): an analysis message, then a get_weather tool call ending at <|call|>.
 * Each crafted model has a manifest beside it (`.json`: the script, its ids and the marker tokens
 * a prompt must not contain).
 */
export const craftedToolCallModel = join(modelsDir, 'tiny-gpt-oss-crafted-toolcall.gguf');
/** The same, for an analysis message then a final answer ending at <|return|>. */
export const craftedFinalModel = join(modelsDir, 'tiny-gpt-oss-crafted-final.gguf');
export const allModels = [randomModel, craftedToolCallModel, craftedFinalModel];
export const manifestOf = (model) => model.replace(/\.gguf$/, '.json');
/** Written after all models; holds the hash of the generator sources, so a changed generator regenerates. */
export const modelStampFile = join(modelsDir, 'models.json');

// The Marketplace page: the icon and banner the manifest names, and the images the README shows,
// as files that exist, are packaged (media/ goes into the VSIX) and are what they claim to be.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '../../..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  icon?: string;
  galleryBanner?: { color?: string; theme?: string };
};

/** Width and height from a PNG's IHDR chunk; throws on anything that is not a PNG. */
function pngSize(path: string): { width: number; height: number } {
  const data = readFileSync(path);
  assert.deepEqual([...data.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${path} is not a PNG`);
  assert.equal(data.toString('ascii', 12, 16), 'IHDR');
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

test('the icon is a 128×128 PNG under media/ (packaged)', () => {
  assert.ok(manifest.icon?.startsWith('media/'), `icon ${manifest.icon} is under media/`);
  assert.deepEqual(pngSize(join(root, manifest.icon ?? '')), { width: 128, height: 128 });
});

test('the gallery banner has a colour and a theme the Marketplace knows', () => {
  assert.match(manifest.galleryBanner?.color ?? '', /^#[0-9a-f]{6}$/i);
  assert.ok(['dark', 'light'].includes(manifest.galleryBanner?.theme ?? ''), `theme ${manifest.galleryBanner?.theme}`);
});

test('the README opens with a picture, and every image it shows is a PNG under media/ by a relative path', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)];
  assert.ok(images.length > 0 && images[0]!.index! < readme.indexOf('\n## '), 'an image comes before the first section');
  for (const [, image] of images) {
    // vsce refuses SVG and http images, rewrites relative ones to the repository, and packages media/.
    assert.match(image!, /^media\/[\w.-]+\.png$/, image);
    assert.ok(existsSync(join(root, image!)), `${image} exists`);
    pngSize(join(root, image!));
    assert.ok(readFileSync(join(root, image!)).length < 200_000, `${image} stays small`);
  }
  const opening = images[0]![1]!;
  const { width, height } = pngSize(join(root, opening));
  assert.ok(width >= 600 && height >= 300, `the opening picture ${opening} is ${width}×${height}`);
});

/**
 * Where the tests find Chromium, and the flags every test launch uses.
 * We never download a browser: the system Chromium (Debian package) runs the
 * tests, found from CHROMIUM_PATH or /usr/bin/chromium.
 */
import { existsSync } from 'node:fs';

/** The Chromium executable, or a clear error saying how to install one. */
export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(
      `Chromium not found at ${path}. Install it (Debian/Ubuntu: apt-get install chromium) or set CHROMIUM_PATH.`,
    );
  }
  return path;
}

/**
 * Launch flags: headless, WebGPU on (SwiftShader where there is no GPU), no
 * background traffic, and every non-loopback request sent to the network
 * guard proxy on `guardPort`, which records and refuses it. Chromium always
 * bypasses proxies for loopback, so the app and fixture servers are direct.
 */
export function chromiumArgs(guardPort: number): string[] {
  return [
    '--headless=new',
    '--no-sandbox',
    '--enable-unsafe-webgpu',
    '--enable-features=Vulkan',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
    '--disable-default-apps',
    '--disable-domain-reliability',
    '--no-first-run',
    '--allow-browser-signin=false',
    '--no-default-browser-check',
    '--metrics-recording-only',
    `--proxy-server=http://127.0.0.1:${guardPort}`,
  ];
}

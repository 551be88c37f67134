import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, requireChromium } from '../../scripts/lib/ui-capture';

/**
 * Debian's Chromium, headless, driven by playwright-core as `npm run screenshot` drives it (`npm test`
 * installs it: scripts/install-chromium.sh). One browser per test file; each person gets a context of
 * their own (cookies apart), as two people on two machines.
 */
export async function launchChromium(): Promise<Browser> {
  requireChromium();
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

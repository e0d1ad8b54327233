import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { REPO_ROOT } from '@crm/config';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** On CI a missing browser is a failure (.ci/run installs it); on a developer machine the browser tests are skipped with a note. */
export const BROWSER_AVAILABLE = existsSync(CHROMIUM) || Boolean(process.env.CI);
export const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts');

export async function launchBrowser(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

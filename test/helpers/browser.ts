/** The browser tests use the same headless Chromium as the demo's screenshots. */
export { launchChromium } from '../../scripts/chromium';

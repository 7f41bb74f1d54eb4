/** Scan: verify a printed code from the camera or an image, decoded in the browser. */
import { Notice, Page } from '../components.js';

export function ScanView() {
  return (
    <Page title="Scan a label">
      <Notice tone="info" title="Not available on this node yet">
        Verifying signed labels needs the label verifier, which this version does not include. Type the identifier printed under the code on the{' '}
        <a href="/">Resolve</a> page instead.
      </Notice>
    </Page>
  );
}

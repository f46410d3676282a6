// Stands in for `sharp` (libvips, ~20 MB of native code) in the bundles. transformers.js requires
// sharp when it loads, for image pipelines; Semantic Notes only reads text, so no image is ever
// decoded. transformers.js refuses to load when the module it gets is falsy, so this is a
// function, and calling it says plainly that images are not supported.
'use strict';
module.exports = function sharp() {
  throw new Error('Semantic Notes reads text only: image processing (sharp) is not included.');
};

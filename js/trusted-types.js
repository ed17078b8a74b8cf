// The console's Trusted Types default policy, for the CSP's `require-trusted-types-for 'script'`.
//
// Why a default policy at all: Leptos (tachys) builds the static part of each view once, from an
// HTML string it assigns to the innerHTML of a <template> (HTML views) or of an SVG <g> (SVG
// views), and it has no way to hand the browser a TrustedHTML. Those strings come from the
// console's own `view!` markup, never from a server (text and attributes that carry data are set
// through the DOM afterwards).
//
// So the policy accepts markup only there: the two setters below mark which of the two sinks is
// being written, and any other HTML sink (another element's innerHTML, outerHTML,
// insertAdjacentHTML, document.write, DOMParser, a setter taken from Element.prototype) is
// refused outright. Markup written to the two sinks is judged by DOMPurify (a maintained,
// parser-based checker) in the same context it will be parsed in, and refused if DOMPurify would
// have to change anything: refused, not sanitized, since a changed template would also break
// tachys, which walks a template's nodes by position. No policy is made for scripts or script
// URLs, so every such sink stays refused.
//
// Loaded (deferred, before the console's module) only where DOMPurify loaded too: without either,
// no default policy exists and Trusted Types refuses every HTML sink, the console included (fails
// closed).
(() => {
  "use strict";
  const tt = window.trustedTypes;
  const purify = window.DOMPurify;
  if (!tt || !tt.createPolicy || !purify || !purify.isSupported) return;

  const inner = Object.getOwnPropertyDescriptor(Element.prototype, "innerHTML");
  let sink = null; // "html" or "svg" while one of the view-template setters runs
  const mark = (proto, kind) =>
    Object.defineProperty(proto, "innerHTML", {
      configurable: false,
      enumerable: inner.enumerable,
      get: inner.get,
      set(value) {
        const outer = sink;
        sink = kind;
        try {
          inner.set.call(this, value);
        } finally {
          sink = outer;
        }
      },
    });
  mark(HTMLTemplateElement.prototype, "html");
  mark(SVGGElement.prototype, "svg");

  const clean = (html, kind) => {
    purify.sanitize(kind === "svg" ? `<svg>${html}</svg>` : html);
    return purify.removed.length === 0;
  };
  tt.createPolicy("default", {
    createHTML(html, _type, where) {
      if (sink !== null && clean(html, sink)) return html;
      // Never the markup itself: it may carry whatever was injected.
      console.error(`Refused by the console's Trusted Types policy (${where}): markup that is not one of the console's view templates`);
      return null;
    },
  });
})();

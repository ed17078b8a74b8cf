// The console's module is built with WebAssembly SIMD (simd128, for the filter's search). A browser
// without it cannot compile the module and would show nothing below the page's static header: say
// why instead. Deferred, so the body exists; it does not wait for the module, which never comes.
(function () {
  // The smallest module with a SIMD instruction (i32.const 0; i8x16.splat; i8x16.popcnt), the check
  // wasm-feature-detect makes.
  var probe = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
  var ok = false;
  try {
    ok = typeof WebAssembly === "object" && WebAssembly.validate(probe);
  } catch (e) {
    ok = false;
  }
  if (ok) return;
  var p = document.createElement("p");
  p.className = "banner";
  p.setAttribute("data-tone", "unavailable");
  p.setAttribute("role", "alert");
  p.setAttribute("data-unsupported-browser", "");
  p.textContent =
    "This browser cannot run the console: it needs WebAssembly with SIMD (Chrome or Edge 91, Firefox 89, " +
    "Safari 16.4 or later). Nothing was sent to any region. Open the console in a current browser.";
  document.body.appendChild(p);
})();

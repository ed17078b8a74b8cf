// Runs before the first paint (a plain script, not deferred): the page's header is static HTML in
// index.html, so it paints before the console's module has loaded (it is the page's largest
// content, and waiting for the module made that paint seconds late on a phone). Inside a frame the
// larger console has its own header: this hides ours at once, so it never flashes there, and the
// console removes it when it starts the embedding protocol.
if (window.self !== window.top) document.documentElement.classList.add("framed");

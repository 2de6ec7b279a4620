/* faqbot's floating launcher: a button on the clinic's own site that opens the assistant over the page.

   The clinic includes it once (the /embed/snippet page shows the exact tag):
     <script src="https://assistant.example/static/launcher.js" defer></script>
   with optional data- attributes on that tag: data-label (the button's words), data-position ("left";
   right by default) and data-colour (#rrggbb, the button's colour, with white text on it).

   The chat is /embed of the origin this script came from, in an iframe made on the first press. Every
   style is set through element.style (CSSOM), never a style attribute or a <style> element, so a host
   page with a strict Content-Security-Policy needs only script-src and frame-src for that origin. Each
   declaration starts from `all: initial` and is !important, so the host's own rules (button { ... },
   iframe { ... }) cannot reshape the widget, and nothing here touches the host's styles or window. */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || !script.src) return;
  var origin = new URL(script.src, window.location.href).origin;
  var label = script.getAttribute("data-label") || "Ask about dental implants";
  var side = script.getAttribute("data-position") === "left" ? "left" : "right";
  var colour = script.getAttribute("data-colour") || "";
  if (!/^#[0-9a-f]{6}$/i.test(colour)) colour = "#0b5394";
  var FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif';
  var TOP = 2147483000; // above the host page's own layers
  // Below these sizes a floating panel would leave no useful page around it: the chat takes the screen.
  var small = window.matchMedia("(max-width: 36rem), (max-height: 40rem)");

  function css(element, styles) {
    for (var name in styles) element.style.setProperty(name, styles[name], "important");
  }

  function make(tag, styles) {
    var element = document.createElement(tag);
    css(element, { all: "initial", "box-sizing": "border-box" });
    css(element, styles);
    return element;
  }

  function button(text, styles) {
    var element = make("button", styles);
    element.type = "button";
    element.textContent = text;
    css(element, { cursor: "pointer", "font-family": FONT, "font-size": "16px", "font-weight": "600",
      "line-height": "1.25", "min-height": "44px", "min-width": "44px" });
    // The host's :focus rules may hide the outline; inline styles can't say :focus-visible, so set it here.
    element.addEventListener("focus", function () {
      var keyboard = true;
      try { keyboard = element.matches(":focus-visible"); } catch (error) { /* an older browser: always show it */ }
      if (keyboard) css(element, { outline: "3px solid #1a56db", "outline-offset": "2px" });
    });
    element.addEventListener("blur", function () { element.style.removeProperty("outline"); });
    return element;
  }

  function start() {
    if (document.getElementById("faqbot-launcher")) return; // the tag was pasted twice
    var root = make("div", { display: "block" });
    root.id = "faqbot-launcher";

    var panel = make("div", { display: "none", position: "fixed", "z-index": String(TOP + 1),
      "flex-direction": "column", overflow: "hidden", background: "#ffffff",
      "box-shadow": "0 8px 32px rgba(0, 0, 0, 0.3)" });
    panel.id = "faqbot-panel";
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", label);

    var bar = make("div", { display: "flex", "align-items": "center", "justify-content": "space-between",
      gap: "8px", padding: "6px 6px 6px 16px", background: colour, color: "#ffffff", "font-family": FONT,
      "font-size": "16px", "font-weight": "600", "line-height": "1.25", flex: "0 0 auto" });
    var title = make("span", { display: "block", color: "#ffffff", "font-family": FONT, "font-weight": "600" });
    title.textContent = label;
    var close = button("Close", { display: "block", padding: "8px 14px", background: "#ffffff", color: colour,
      border: "2px solid #ffffff", "border-radius": "8px" });
    bar.appendChild(title);
    bar.appendChild(close);

    // On a full screen, Tab must not wander into the page hidden behind the chat: focus reaching either
    // end of the panel comes back in (from the end to Close, from the start to the chat's frame).
    var head = make("span", { display: "block", width: "0", height: "0", overflow: "hidden" });
    var tail = make("span", { display: "block", width: "0", height: "0", overflow: "hidden" });
    head.tabIndex = tail.tabIndex = -1;
    panel.appendChild(head);
    panel.appendChild(bar);
    panel.appendChild(tail);

    var launcher = button(label, { display: "block", position: "fixed", bottom: "16px", "z-index": String(TOP),
      padding: "10px 20px", background: colour, color: "#ffffff", border: "2px solid #ffffff",
      "border-radius": "999px", "box-shadow": "0 4px 16px rgba(0, 0, 0, 0.3)" });
    launcher.style.setProperty(side, "16px", "important");
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-controls", panel.id);

    root.appendChild(panel);
    root.appendChild(launcher);
    document.body.appendChild(root);

    var frame = null;

    function isOpen() {
      return launcher.getAttribute("aria-expanded") === "true";
    }

    function place() {
      var full = small.matches;
      var edges = full
        ? { top: "0", bottom: "0", left: "0", right: "0", width: "100%", height: "100%", "border-radius": "0" }
        : { top: "auto", bottom: "80px", left: "auto", right: "auto", width: "min(400px, calc(100vw - 32px))",
          height: "min(640px, calc(100vh - 112px))", "border-radius": "12px" };
      css(panel, edges);
      if (!full) panel.style.setProperty(side, "16px", "important");
      panel.setAttribute("aria-modal", full ? "true" : "false");
      head.tabIndex = tail.tabIndex = full && isOpen() ? 0 : -1;
    }

    function open() {
      if (!frame) {
        frame = make("iframe", { display: "block", flex: "1 1 auto", width: "100%", height: "auto",
          "min-height": "0", border: "0", background: "#ffffff" });
        frame.title = label + ": chat with the clinic's assistant";
        frame.src = origin + "/embed";
        panel.insertBefore(frame, tail);
      }
      launcher.setAttribute("aria-expanded", "true");
      css(panel, { display: "flex" });
      place();
      close.focus();
    }

    function shut() {
      launcher.setAttribute("aria-expanded", "false");
      css(panel, { display: "none" });
      place();
      launcher.focus();
    }

    launcher.addEventListener("click", function () {
      if (isOpen()) shut();
      else open();
    });
    close.addEventListener("click", shut);
    tail.addEventListener("focus", function () { close.focus(); });
    head.addEventListener("focus", function () { frame.focus(); });
    // Keys pressed inside the chat stay in its frame (another origin): there, chat.js posts "faqbot:close".
    window.addEventListener("message", function (event) {
      if (frame && event.source === frame.contentWindow && event.origin === origin && event.data === "faqbot:close") {
        if (isOpen()) shut();
      }
    });
    root.addEventListener("keydown", function (event) {
      if ((event.key === "Escape" || event.key === "Esc") && isOpen()) {
        event.preventDefault();
        shut();
      }
    });
    if (small.addEventListener) small.addEventListener("change", place);
    else small.addListener(place);
    place();
  }

  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();

/* faqbot chat: progressive enhancement of the server-rendered chat form.
 *
 * Without this file the form posts to /send and the page comes back (post/redirect/get). With it,
 * messages go to /api/chat without a reload, and the conversation (the patient's words included)
 * is kept in this tab's sessionStorage only, so it survives a reload and ends with the tab.
 * The reply cards are built by render.js. Loaded as a module: strict mode, deferred, same origin.
 */
import { renderer } from "./render.js";

(function () {
  var STORE = "faqbot.chat.v1";
  var MAX_STORED_TURNS = 200;
  var SLOW_MS = 600; // only a slow reply earns a "looking" status; a fast one would just add noise

  var root = document.querySelector("[data-chat]");
  if (!root) return;
  document.documentElement.classList.add("js");

  var form = document.getElementById("chat-form");
  var input = document.getElementById("message");
  var log = document.getElementById("transcript");
  var statusBox = document.getElementById("chat-status");
  var alertBox = document.getElementById("chat-error");
  var clearForm = root.querySelector("form.clear");
  var composer = root.querySelector(".composer");
  var header = document.querySelector(".site-header");
  var data = root.dataset;
  var cards = renderer(data);
  var state = load();
  var busy = false;

  function load() {
    try {
      var saved = JSON.parse(window.sessionStorage.getItem(STORE) || "null");
      if (saved && Array.isArray(saved.turns)) return saved;
    } catch (error) {
      /* storage switched off or damaged: start afresh */
    }
    return { conversation: null, turns: [] };
  }

  function save() {
    state.turns = state.turns.slice(-MAX_STORED_TURNS);
    try {
      window.sessionStorage.setItem(STORE, JSON.stringify(state));
    } catch (error) {
      /* private mode or full: the conversation still works, it just won't survive a reload */
    }
  }

  function previousReplyKind(index) {
    for (var i = index - 1; i >= 0; i--) if (state.turns[i].reply) return state.turns[i].reply.kind;
    return null;
  }

  function render(turn, index, animate) {
    var node = turn.reply
      ? cards.replyCard(turn, index, turn.reply.kind === "fallback" && previousReplyKind(index) === "fallback")
      : cards.youCard(turn.you);
    if (animate) node.classList.add("new");
    log.append(node);
    return node;
  }

  function removeTurns() {
    log.querySelectorAll(".message:not(.welcome), .nojs-note").forEach(function (node) {
      node.remove();
    });
  }

  function setStatus(text) {
    statusBox.textContent = text;
  }

  function showError(text) {
    alertBox.textContent = text;
  }

  // Keep focus and linked passages clear of the pinned composer: the scroll padding follows its height.
  function trackComposerHeight() {
    document.documentElement.style.setProperty("--composer-height", composer.offsetHeight + "px");
  }

  if (window.ResizeObserver) new ResizeObserver(trackComposerHeight).observe(composer);
  trackComposerHeight();

  // Scroll the new reply into view above the composer, but never past the top of my own message, which
  // stays in sight below a pinned header. window.scrollTo, not scrollIntoView: inside the embed that
  // would also scroll the clinic's page.
  function reveal(youCard, card) {
    var pinned = header && getComputedStyle(header).position === "sticky" ? header.offsetHeight : 0;
    var replyEnd = card.getBoundingClientRect().bottom + window.scrollY;
    var target = replyEnd + 8 - (window.innerHeight - composer.offsetHeight);
    var youTop = youCard.getBoundingClientRect().top + window.scrollY - pinned - 8;
    target = Math.min(target, youTop);
    if (target > window.scrollY) window.scrollTo({ top: target });
  }

  function postJSON(url, body) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
      credentials: "same-origin",
    }).then(function (response) {
      return response
        .json()
        .catch(function () {
          return {};
        })
        .then(function (payload) {
          if (!response.ok) throw new Error(payload.error || "The assistant could not answer just now.");
          return payload;
        });
    });
  }

  function unreachable(error) {
    if (error instanceof TypeError) {
      return "The assistant could not be reached. Check your connection and try again, or call " + data.phone + ".";
    }
    return error.message;
  }

  function ask(message, typed) {
    showError("");
    setStatus("");
    if (!message) {
      showError("Please type a question first.");
      return;
    }
    if (busy) return;
    busy = true;
    var you = { you: message };
    state.turns.push(you);
    var youNode = render(you, state.turns.length - 1, true);
    var slow = window.setTimeout(function () {
      setStatus("Looking for an answer…");
    }, SLOW_MS);
    postJSON("/api/chat", { message: message, conversation: state.conversation })
      .then(function (reply) {
        if (typed) input.value = "";
        state.conversation = reply.conversation;
        var turn = { reply: reply, vote: null };
        state.turns.push(turn);
        save();
        setStatus("");
        reveal(youNode, render(turn, state.turns.length - 1, true));
      })
      .catch(function (error) {
        // The message was not answered: take it back out and leave the typed words in the box to retry.
        state.turns.splice(state.turns.indexOf(you), 1);
        youNode.remove();
        setStatus("");
        showError(unreachable(error));
      })
      .finally(function () {
        window.clearTimeout(slow);
        busy = false;
      });
  }

  var lengthNote = document.getElementById("message-length");
  var maxLength = Number(input.dataset.maxLength) || 500;

  // Over the limit: say so as the patient types or pastes, and keep every word in the box.
  function tooLong() {
    var length = input.value.trim().length;
    var over = length > maxLength;
    lengthNote.textContent = over
      ? "Your message is " + length + " characters; the limit is " + maxLength + ". Please shorten it."
      : "";
    if (over) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
    return over;
  }

  input.addEventListener("input", tooLong);

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (tooLong()) {
      showError("Your message is longer than " + maxLength + " characters. Please shorten it and send it again.");
      input.focus();
      return;
    }
    ask(input.value.trim(), true);
  });

  // Suggestion and clarify buttons, in the welcome and in every reply (also those restored on reload).
  log.addEventListener("submit", function (event) {
    if (!event.target.matches("form.suggestions")) return;
    event.preventDefault();
    var submitter = event.submitter || document.activeElement;
    if (submitter && submitter.name === "choice") ask(submitter.value, false);
  });

  log.addEventListener("submit", function (event) {
    var feedback = event.target.closest("form.feedback[data-turn]");
    if (!feedback) return; // a server-rendered vote form posts as usual
    event.preventDefault();
    if (feedback.dataset.voted || feedback.dataset.sending) return;
    var submitter = event.submitter || document.activeElement;
    var vote = submitter && submitter.value;
    var turn = state.turns[Number(feedback.dataset.turn)];
    if (!turn || !turn.reply || !turn.reply.entry || (vote !== "up" && vote !== "down")) return;
    feedback.dataset.sending = "1";
    showError("");
    postJSON("/api/feedback", { entry: turn.reply.entry.id, vote: vote, reply: turn.reply.feedback_token })
      .then(function () {
        turn.vote = vote;
        save();
        cards.markVoted(feedback, vote);
      })
      .catch(function (error) {
        showError(unreachable(error));
      })
      .finally(function () {
        delete feedback.dataset.sending;
      });
  });

  clearForm.addEventListener("submit", function (event) {
    event.preventDefault();
    state = { conversation: null, turns: [] };
    try {
      window.sessionStorage.removeItem(STORE);
    } catch (error) {
      /* nothing stored */
    }
    removeTurns();
    input.value = "";
    showError("");
    setStatus("The conversation was cleared.");
    // Also forget anything the no-JavaScript path kept in the session.
    fetch(clearForm.action, {
      method: "POST",
      body: new FormData(clearForm),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    }).catch(function () {});
  });

  // Keep the conversation: print it, or save it as a text file made here in the browser.
  var printButton = document.getElementById("print-conversation");
  var downloadButton = document.getElementById("download-conversation");

  printButton.addEventListener("click", function () {
    window.print();
  });

  // Folded sources are printed open, then fold again.
  var folded = [];
  window.addEventListener("beforeprint", function () {
    folded = [].slice.call(log.querySelectorAll("details.sources:not([open])"));
    folded.forEach(function (details) {
      details.open = true;
    });
  });
  window.addEventListener("afterprint", function () {
    folded.forEach(function (details) {
      details.open = false;
    });
    folded = [];
  });

  function conversationText() {
    var lines = [
      "Conversation with the automated assistant of " + data.clinic + " (dental implant questions)",
      "Saved " + new Date().toLocaleString() + " from " + window.location.origin + window.location.pathname,
      "General information, not medical advice. In an emergency call " + data.emergency + ".",
      "",
    ];
    state.turns.forEach(function (turn) {
      if (!turn.reply) {
        lines.push("You: " + turn.you, "");
        return;
      }
      var reply = turn.reply;
      lines.push("Assistant: " + (reply.entry ? reply.entry.question + "\n" : "") + reply.reply);
      reply.sources.forEach(function (source) {
        lines.push("Source: \u201c" + source.quote + "\u201d (" + source.title + ") " + new URL(source.url, window.location.href).href);
      });
      lines.push("");
    });
    return lines.join("\n");
  }

  downloadButton.addEventListener("click", function () {
    if (!state.turns.length) {
      setStatus("There is nothing to download yet: ask a question first.");
      return;
    }
    var file = new Blob([conversationText()], { type: "text/plain;charset=utf-8" });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(file);
    link.download = "conversation-" + new Date().toISOString().slice(0, 10) + ".txt";
    document.body.append(link);
    link.click();
    link.remove();
    window.setTimeout(function () {
      URL.revokeObjectURL(link.href);
    }, 1000);
  });

  // Inside the clinic's floating launcher, Escape closes the chat: keys pressed here never reach the
  // clinic's page, so ask it to (the message says nothing about the conversation).
  if (data.view === "embed" && window.parent !== window) {
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" || event.key === "Esc") window.parent.postMessage("faqbot:close", "*");
    });
  }

  printButton.hidden = false;
  downloadButton.hidden = false;

  if (state.turns.length) {
    removeTurns();
    state.turns.forEach(function (turn, index) {
      render(turn, index, false);
    });
  }
})();

/* faqbot chat: builds a reply card from the JSON reply contract, as web/templates/_reply.html does
 * for the server-rendered page. Everything goes in with textContent (via text nodes), never as
 * HTML, so answers and the patient's words can only ever be text.
 */

// `data` is the chat section's dataset: the view ("page" or "embed") decides how links open.
export function renderer(data) {
  var newTab = data.view === "embed"; // inside another site's frame, links open a new tab
  var counter = 0;

  function el(tag, attributes) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      var value = attributes[name];
      if (value === null || value === undefined || value === false) return;
      node.setAttribute(name, value === true ? "" : value);
    });
    for (var i = 2; i < arguments.length; i++) {
      [].concat(arguments[i]).forEach(function (child) {
        if (child === null || child === undefined || child === false) return;
        node.append(child instanceof Node ? child : document.createTextNode(String(child)));
      });
    }
    return node;
  }

  // The same cut as Jinja's truncate(90, end="…") in _reply.html.
  function excerpt(text) {
    if (text.length <= 95) return text;
    var cut = text.slice(0, 89);
    var space = cut.lastIndexOf(" ");
    return (space >= 0 ? cut.slice(0, space) : cut) + "…";
  }

  function link(href, text, external) {
    var attributes = { href: href };
    if (external) {
      attributes.target = "_blank";
      attributes.rel = "noopener";
    }
    return el("a", attributes, text);
  }

  // Each way to reach help, once, as a button (the reply's words name the action, not the number).
  function actionButtons(actions, className) {
    var buttons = actions.map(function (action) {
      if (action.kind !== "book") return el("a", { class: "button " + action.kind, href: action.href }, action.label);
      var book = link(action.href, action.label, newTab);
      if (newTab) book.append(el("span", { class: "visually-hidden" }, " (opens in a new tab)"));
      book.className = "button secondary";
      return book;
    });
    var row = el("p", { class: className });
    buttons.forEach(function (button, i) {
      row.append(i ? " " : "", button);
    });
    return row;
  }

  function sourceList(sources) {
    var items = sources.map(function (source) {
      var title = "(" + source.title + (newTab ? ", opens in a new tab" : "") + ")";
      return el("li", {}, link(source.url, "“" + excerpt(source.quote) + "”", newTab), " ",
        el("span", { class: "source-title" }, title));
    });
    return el("details", { class: "sources" }, el("summary", {}, "Sources (" + sources.length + ")"), el("ul", {}, items));
  }

  // The clinic's own answer cites no article: say whose statement it is and who signed it off.
  function statementNote(statement) {
    return el("p", { class: "statement" }, "The clinic's own statement, not from the articles. Reviewed by " +
      statement.reviewed_by + " on " + statement.reviewed_on + ".");
  }

  function suggestionForm(questions, label) {
    var buttons = questions.map(function (question) {
      return el("button", { type: "submit", class: "suggestion", name: "choice", value: question }, question);
    });
    var legend = el("legend", { class: "visually-hidden" }, label);
    return el("form", { class: "suggestions" }, el("fieldset", {}, legend, buttons));
  }

  function youCard(text) {
    return el("div", { class: "message you" }, el("p", { class: "who" }, "You"), el("p", { class: "text" }, text));
  }

  function feedbackForm(turn, index) {
    var buttons = [["up", "Yes"], ["down", "No"]].map(function (pair) {
      return el("button", { type: "submit", name: "vote", value: pair[0], class: "vote" }, pair[1]);
    });
    var fieldset = el("fieldset", {}, el("legend", {}, "Was this helpful?"), buttons);
    var feedback = el("form", { class: "feedback", "data-turn": index }, fieldset);
    if (turn.vote) markVoted(feedback, turn.vote);
    return feedback;
  }

  function markVoted(feedback, vote) {
    feedback.dataset.voted = vote;
    feedback.querySelectorAll("button.vote").forEach(function (button) {
      button.setAttribute("aria-disabled", "true");
      button.setAttribute("aria-pressed", button.value === vote ? "true" : "false");
    });
    feedback.querySelector("fieldset").append(el("span", { class: "thanks" }, "Thank you for your feedback."));
  }

  function replyCard(turn, index, repeated) {
    var reply = turn.reply;
    var kind = reply.kind;
    var card = el("div", { class: "message bot kind-" + kind + (repeated ? " repeated" : ""), id: "chat-turn-" + ++counter });
    // Replies kept in sessionStorage by an older version have no `text` and `actions`: show them as they were.
    var actions = reply.actions || [];
    // Contact actions lead when they matter most: an urgent reply, or a second decline in a row.
    var lead = kind === "urgent" || (kind === "fallback" && repeated);
    card.append(el("p", { class: "who" }, kind === "urgent" ? "Assistant: urgent" : "Assistant"));
    if (lead && actions.length) card.append(actionButtons(actions, kind === "urgent" ? "call-first" : "contact-actions"));
    if (kind === "answer" && reply.entry) card.append(el("h3", { class: "question" }, reply.entry.question));
    card.append(el("p", { class: "text" }, reply.text === undefined ? reply.reply : reply.text));
    if (!lead && actions.length) card.append(actionButtons(actions, "contact-actions"));
    if (reply.sources.length) card.append(sourceList(reply.sources));
    if (reply.statement) card.append(statementNote(reply.statement));
    if (reply.suggestions.length) {
      var label = kind === "clarify" ? "Which question did you mean?" : "Related questions";
      card.append(suggestionForm(reply.suggestions, label));
    }
    if (kind === "answer" && reply.entry && !reply.statement) card.append(feedbackForm(turn, index));
    return card;
  }

  return { youCard: youCard, replyCard: replyCard, markVoted: markVoted };
}

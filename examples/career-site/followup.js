// Interview follow-ups for a career site: plain browser JavaScript, no build step.
//
// Calls the followup API from the browser (the API must list this page's origin
// in FOLLOWUP_CORS_ORIGINS). Everything the API returns is shown with
// textContent, never as HTML.
"use strict";

(function () {
  const PAGE_SIZE = 20;
  const TIMEOUT_SECONDS = 15;
  const OPEN_STATES = new Set(["upcoming", "due", "overdue"]);
  const ACTION_LABELS = {
    send_thank_you: "Send a thank-you",
    send_follow_up: "Send a follow-up",
    connect_on_linkedin: "Connect on LinkedIn",
    reply_to_rejection: "Reply to the rejection",
    wait: "Wait",
    close_out: "Close out",
  };
  const MESSAGE_LABELS = {
    thank_you: "Preview thank-you",
    follow_up: "Preview follow-up",
    linkedin_note: "Preview LinkedIn note",
    rejection_reply: "Preview reply",
  };

  const $ = (id) => document.getElementById(id);
  const form = $("connect-form");
  const urlInput = $("api-url");
  const keyInput = $("api-key");
  const loadButton = $("load-button");
  const moreButton = $("more-button");
  const statusLine = $("status");
  const list = $("interviews");
  const empty = $("empty");
  const preview = $("preview");

  let connection = null; // {baseUrl, key}
  let nextCursor = null;
  let busy = false;

  /** An API error with the problem+json detail when there is one. */
  class ApiError extends Error {}

  /** Seconds to wait from a Retry-After header (seconds or an HTTP date), or null. */
  function retryAfterSeconds(header) {
    if (!header) return null;
    if (/^\d+$/.test(header.trim())) return Number(header.trim());
    const at = Date.parse(header);
    return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
  }

  function plural(count, noun) {
    return count + " " + noun + (count === 1 ? "" : "s");
  }

  function setStatus(text, isError = false) {
    statusLine.textContent = text;
    statusLine.classList.toggle("error", isError);
  }

  async function api(path) {
    const url = connection.baseUrl + path;
    let response;
    try {
      response = await fetch(url, {
        headers: { Authorization: "Bearer " + connection.key, Accept: "application/json" },
        signal: AbortSignal.timeout(TIMEOUT_SECONDS * 1000),
      });
    } catch (networkError) {
      if (networkError.name === "TimeoutError") {
        throw new ApiError(connection.baseUrl + " did not answer within " + TIMEOUT_SECONDS + " seconds; try again later.");
      }
      // A CORS refusal looks exactly like a network failure to page scripts.
      throw new ApiError(
        "Could not reach " + connection.baseUrl +
        " (is the URL right, and does the API allow this site's origin in its CORS settings?)"
      );
    }
    const type = response.headers.get("content-type") || "";
    const body = type.includes("json") ? await response.json().catch(() => null) : null;
    if (response.ok && body) return body;
    let detail = body && body.detail;
    if (!detail) {
      // Without JSON it is not the API answering: a static server, a proxy, a login page.
      const answer = (response.status + " " + response.statusText).trim();
      detail = connection.baseUrl + " answered " + answer + (body ? "." : ", not with the followup API's JSON: is the URL right?");
    }
    const wait = retryAfterSeconds(response.headers.get("Retry-After"));
    if (wait !== null) detail += " Try again in " + plural(wait, "second") + ".";
    throw new ApiError(detail);
  }

  function formatTime(iso, timeZone) {
    const options = { dateStyle: "medium", timeStyle: "short" };
    try {
      return new Intl.DateTimeFormat(undefined, { ...options, timeZone }).format(new Date(iso));
    } catch (badZone) {
      return new Intl.DateTimeFormat(undefined, options).format(new Date(iso));
    }
  }

  function renderAction(interview, action) {
    const item = $("action-template").content.firstElementChild.cloneNode(true);
    item.dataset.state = action.state;
    const badge = item.querySelector(".badge");
    badge.textContent = action.state;
    badge.classList.add("badge-" + action.state);
    let label = ACTION_LABELS[action.kind] || action.kind;
    if (action.recipient && action.recipient.name) label += " to " + action.recipient.name;
    item.querySelector(".action-kind").textContent = label;
    item.querySelector(".action-due").textContent = "by " + formatTime(action.due_at, interview.timezone);
    item.querySelector(".action-reason").textContent = action.reason;
    if (action.message_kind) {
      const button = item.querySelector(".preview-button");
      button.hidden = false;
      // Several interviewers each get a thank-you: the name tells their buttons apart.
      let text = MESSAGE_LABELS[action.message_kind] || "Preview message";
      if (action.recipient && action.recipient.name) text += " to " + action.recipient.name;
      button.textContent = text;
      button.setAttribute("aria-controls", "preview");
      button.addEventListener("click", () => showMessage(interview, action));
    }
    return item;
  }

  function renderInterview(interview, actions) {
    const item = $("interview-template").content.firstElementChild.cloneNode(true);
    item.dataset.interviewId = interview.id;
    item.querySelector(".interview-title").textContent =
      interview.candidate_name + " · " + interview.job_title + " at " + interview.company_name;
    item.querySelector(".interview-meta").textContent =
      formatTime(interview.starts_at, interview.timezone) + " · " + interview.status.replaceAll("_", " ");
    const actionList = item.querySelector(".actions");
    const open = actions.filter((action) => OPEN_STATES.has(action.state));
    if (open.length === 0) {
      const none = document.createElement("li");
      none.className = "muted";
      none.textContent = "Nothing left to do.";
      actionList.append(none);
    }
    for (const action of open) actionList.append(renderAction(interview, action));
    return item;
  }

  async function loadPage(cursor) {
    let path = "/v1/interviews?limit=" + PAGE_SIZE;
    if (cursor) path += "&cursor=" + encodeURIComponent(cursor);
    const page = await api(path);
    const plans = await Promise.all(
      page.items.map((interview) => api("/v1/interviews/" + encodeURIComponent(interview.id) + "/actions"))
    );
    const items = page.items.map((interview, i) => renderInterview(interview, plans[i].actions));
    list.append(...items);
    nextCursor = page.next_cursor;
    moreButton.hidden = !nextCursor;
    empty.hidden = list.children.length > 0;
    return items;
  }

  /**
   * One request at a time; clicks meanwhile are ignored. The buttons are marked
   * aria-disabled rather than disabled: a disabled button drops keyboard focus.
   */
  async function run(task, busyText) {
    if (busy) return;
    busy = true;
    for (const button of [loadButton, moreButton]) button.setAttribute("aria-disabled", "true");
    list.setAttribute("aria-busy", "true");
    setStatus(busyText);
    try {
      await task();
    } catch (error) {
      setStatus(error instanceof ApiError ? error.message : "Something went wrong: " + error, true);
    } finally {
      busy = false;
      for (const button of [loadButton, moreButton]) button.removeAttribute("aria-disabled");
      list.setAttribute("aria-busy", "false");
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (busy) return;
    connection = { baseUrl: urlInput.value.trim().replace(/\/+$/, ""), key: keyInput.value.trim() };
    list.replaceChildren();
    nextCursor = null;
    moreButton.hidden = true;
    preview.hidden = true;
    empty.hidden = true;
    run(async () => {
      await loadPage(null);
      setStatus(plural(list.children.length, "interview") + " loaded.");
    }, "Loading interviews…");
  });

  moreButton.addEventListener("click", () => {
    run(async () => {
      const items = await loadPage(nextCursor);
      setStatus(plural(list.children.length, "interview") + " loaded.");
      // The button may have just hidden itself: keep keyboard focus on the new items.
      if (items.length) items[0].querySelector(".interview-title").focus();
    }, "Loading more…");
  });

  async function showMessage(interview, action) {
    await run(async () => {
      // Until this one arrives, the last preview is not the message asked for.
      preview.hidden = true;
      let path = "/v1/interviews/" + encodeURIComponent(interview.id) + "/messages/" + action.message_kind;
      if (action.contact_id) path += "?contact_id=" + encodeURIComponent(action.contact_id);
      const message = await api(path);
      const to = message.recipient;
      $("preview-to").textContent = to ? [to.name, to.email && "<" + to.email + ">"].filter(Boolean).join(" ") : "—";
      $("preview-subject").textContent = message.subject || "—";
      $("preview-text").textContent = message.text;
      const warnings = $("preview-warnings");
      warnings.replaceChildren(
        ...(message.warnings || []).map((warning) => {
          const li = document.createElement("li");
          li.textContent = warning.message;
          return li;
        })
      );
      preview.hidden = false;
      preview.focus();
      setStatus("Message preview for " + interview.candidate_name + " is ready.");
    }, "Rendering the message…");
  }

  $("copy-button").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText($("preview-text").textContent);
      setStatus("Copied.");
    } catch (denied) {
      setStatus("Copying is not allowed here; select the text instead.", true);
    }
  });

  // A career site may link here with ?api=https://... to fill in the URL.
  const suggested = new URLSearchParams(location.search).get("api");
  if (suggested) urlInput.value = suggested;
})();

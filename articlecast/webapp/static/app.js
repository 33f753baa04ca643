// The app's pages. Live progress from the server's event stream: the job's words and bar change in place, and a
// polite live region says when an episode is ready or could not be made (never every sentence). When jobs come or
// go, the two lists are fetched again and swapped in, keeping the keyboard focus where it was. Without script the
// pages work as they are (reload to see progress).
"use strict";
(() => {
  const announce = (text) => {
    const region = document.getElementById("announce");
    if (!region) return;
    region.textContent = "";
    window.setTimeout(() => { region.textContent = text; }, 50);
  };

  const copy = document.getElementById("copy");
  const feed = document.getElementById("feed");
  if (copy && feed && navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener("click", async () => {
      try { await navigator.clipboard.writeText(feed.value); announce(copy.dataset.copied); }
      catch (e) { feed.select(); }
    });
  }
  const errors = document.getElementById("errors");
  if (errors) errors.focus();

  const queue = document.getElementById("queue");
  if (!queue || !window.EventSource) return;
  const states = new Map();
  for (const li of queue.querySelectorAll(".job")) states.set(li.id, li.dataset.state);
  let refreshing = false;

  const refresh = async () => {
    if (refreshing) return;
    refreshing = true;
    try {
      const answer = await fetch(window.location.href, {credentials: "same-origin"});
      const doc = new DOMParser().parseFromString(await answer.text(), "text/html");
      const focused = document.activeElement && document.activeElement.closest("section") ? document.activeElement : null;
      const focusKey = focused ? [focused.closest("li") && focused.closest("li").id, focused.textContent,
        focused.closest("section").querySelector("h2").id] : null;
      for (const id of ["queue", "episodes"]) {
        const now = document.getElementById(id), fresh = doc.getElementById(id);
        if (now && fresh) now.innerHTML = fresh.innerHTML;
      }
      states.clear();  // what the page shows now
      for (const li of queue.querySelectorAll(".job")) states.set(li.id, li.dataset.state);
      if (focusKey) {
        const li = focusKey[0] && document.getElementById(focusKey[0]);
        const again = li && [...li.querySelectorAll("a, button")].find((el) => el.textContent === focusKey[1]);
        (again || document.getElementById(focusKey[2]) || document.getElementById("queue-heading")).focus();
      }
    } finally { refreshing = false; }
  };

  const source = new EventSource(queue.dataset.events);
  source.onmessage = (event) => {
    const jobs = JSON.parse(event.data);
    let changed = jobs.length !== states.size;
    for (const job of jobs) {
      const id = "job-" + job.id, before = states.get(id);
      if (before === undefined) { changed = true; }
      else if (before !== job.state) {
        changed = true;
        if (job.state === "done") announce("Episode ready: " + job.title);
        else if (job.state === "failed") announce("Could not make " + job.title + ": " + job.message);
        else if (job.state === "cancelled") announce("Cancelled: " + job.title);
        else if (job.state === "running" && before === "queued") announce("Now making: " + job.title);
      }
      states.set(id, job.state);
      const words = document.getElementById(id + "-state");
      if (words && job.state === "running") {
        words.textContent = (job.stage || "Starting") + (job.total ? ": " + job.done + " of " + job.total : "");
        const bar = document.getElementById(id + "-progress");
        if (bar) { bar.hidden = !job.total; if (job.total) { bar.max = job.total; bar.value = job.done; } }
      }
    }
    if (changed) refresh();
  };
})();

// The listening page: chapters, a transcript that follows the voice, speed, keyboard shortcuts.
// It reads everything from the page itself (data-* attributes); no article text is ever inside this script.
(() => {
  "use strict";
  const $ = (sel) => document.querySelector(sel);
  const audio = $("#audio");
  const chapters = [...document.querySelectorAll("#chapters button[data-start]")];
  const chapterStarts = chapters.map((b) => Number(b.dataset.start));
  const cues = [...document.querySelectorAll("#transcript .cue")];
  const cueStarts = cues.map((c) => Number(c.dataset.start));
  const speedButtons = [...document.querySelectorAll("#speeds button[data-rate]")];
  const rates = speedButtons.map((b) => Number(b.dataset.rate));
  const playButton = $("#play"), status = $("#status"), clock = $("#clock"), nowTitle = $("#now-chapter");
  const follow = $("#follow"), shortcuts = $("#shortcuts");
  const reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
  const EPSILON = 0.05; // seconds: a seek lands within this of a cue's start and still counts as inside it
  let currentChapter = -1, currentCue = -1;

  const lastStartedBy = (starts, t) => { // index of the last start <= t, or -1 (binary search)
    let lo = 0, hi = starts.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid] <= t + EPSILON) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found;
  };
  const clockText = (s) => {
    if (!Number.isFinite(s)) return "0:00";
    s = Math.floor(s);
    const h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, sec = String(s % 60).padStart(2, "0");
    return h ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
  };
  const WORDS = (() => { try { return JSON.parse(document.querySelector("main").dataset.words || "{}"); } catch (e) { return {}; } })();
  const tr = (key, english, values = {}) => // the page's own language (data-words on <main>), else English
    (WORDS[key] || english).replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
  const say = (message) => { status.textContent = ""; window.setTimeout(() => { status.textContent = message; }, 50); };
  const chapterName = (i) => chapters[i].querySelector(".name").textContent;

  // the word being spoken: its times from the cue's data-times (start end pairs, as the voice measured them),
  // shown with the CSS Custom Highlight API; where a browser lacks it, the sentence's highlight alone
  const highlights = window.CSS && CSS.highlights && typeof Highlight === "function" ? CSS.highlights : null;
  const wordCache = new Map();
  const wordsOf = (cue) => { // [{start, end, from, to}] for each word of the cue's text, or [] without times
    if (wordCache.has(cue)) return wordCache.get(cue);
    const times = (cue.dataset.times || "").split(" ").filter(Boolean).map(Number);
    const text = cue.firstChild && cue.firstChild.nodeType === Node.TEXT_NODE ? cue.firstChild.data : "";
    const spans = [...text.matchAll(/\S+/g)];
    const found = times.length === 2 * spans.length
      ? spans.map((m, k) => ({ start: times[2 * k], end: times[2 * k + 1], from: m.index, to: m.index + m[0].length }))
      : [];
    wordCache.set(cue, found);
    return found;
  };
  let currentWord = null;
  const showWord = (i, t) => {
    if (!highlights) return;
    const found = i >= 0 ? wordsOf(cues[i]) : [];
    let k = -1;
    for (let j = 0; j < found.length && found[j].start <= t + EPSILON; j++) k = j;
    const key = k >= 0 ? `${i}:${k}` : null;
    if (key === currentWord) return;
    currentWord = key;
    if (k < 0) { highlights.delete("articlecast-word"); return; }
    const range = new Range();
    range.setStart(cues[i].firstChild, found[k].from);
    range.setEnd(cues[i].firstChild, found[k].to);
    highlights.set("articlecast-word", new Highlight(range));
  };
  const wordAt = (cue, e) => { // the time of the word under a click, or NaN
    const found = wordsOf(cue);
    if (!found.length) return NaN;
    const pos = document.caretPositionFromPoint ? document.caretPositionFromPoint(e.clientX, e.clientY) : null;
    const range = !pos && document.caretRangeFromPoint ? document.caretRangeFromPoint(e.clientX, e.clientY) : null;
    const node = pos ? pos.offsetNode : range ? range.startContainer : null;
    const offset = pos ? pos.offset : range ? range.startOffset : -1;
    if (node !== cue.firstChild || offset < 0) return NaN;
    const word = found.find((w) => offset < w.to + 1) || found[found.length - 1];
    return word.start;
  };

  const inView = (el) => {
    const r = el.getBoundingClientRect();
    return r.top >= 0 && r.bottom <= window.innerHeight;
  };
  const setCueTabStop = (i) => {
    if (i < 0 || cues.length === 0) return;
    for (const c of cues) if (c.tabIndex === 0) c.tabIndex = -1;
    cues[i].tabIndex = 0;
  };

  function update() {
    const t = audio.currentTime;
    const ch = Math.max(0, lastStartedBy(chapterStarts, t));
    if (ch !== currentChapter && chapters.length) {
      if (currentChapter >= 0) chapters[currentChapter].removeAttribute("aria-current");
      chapters[ch].setAttribute("aria-current", "true");
      nowTitle.textContent = chapterName(ch);
      currentChapter = ch;
    }
    let i = lastStartedBy(cueStarts, t);
    if (i >= 0 && chapters.length && cueStarts[i] < chapterStarts[ch] - EPSILON) i = -1; // a chapter's opening chime
    if (i !== currentCue) {
      if (currentCue >= 0) { cues[currentCue].classList.remove("now"); cues[currentCue].removeAttribute("aria-current"); }
      if (i >= 0) {
        cues[i].classList.add("now");
        cues[i].setAttribute("aria-current", "true");
        if (!document.activeElement || !document.activeElement.classList.contains("cue")) setCueTabStop(i);
        if (follow.checked && !inView(cues[i])) {
          cues[i].scrollIntoView({ block: "center", behavior: reduceMotion.matches ? "auto" : "smooth" });
        }
      }
      currentCue = i;
    }
    showWord(i, t);
    clock.textContent = tr("clock", "{now} of {total}", { now: clockText(t), total: clockText(audio.duration) });
  }

  function seek(t) {
    const end = Number.isFinite(audio.duration) ? audio.duration : Infinity;
    audio.currentTime = Math.min(Math.max(0, t), end);
    update();
  }
  function goToChapter(i) {
    i = Math.min(Math.max(0, i), chapters.length - 1);
    seek(chapterStarts[i]);
    say(tr("chapter", "Chapter {n} of {count}: {name}", { n: i + 1, count: chapters.length, name: chapterName(i) }));
  }
  const chapterNow = () => Math.max(0, lastStartedBy(chapterStarts, audio.currentTime));
  function previousChapter() { // restart this chapter, or go back one when within its first 3 seconds
    const i = chapterNow();
    goToChapter(audio.currentTime - chapterStarts[i] > 3 ? i : i - 1);
  }
  function togglePlay() {
    if (audio.paused) { const p = audio.play(); if (p) p.catch((e) => say(tr("cannot_play", "Cannot play: {error}", { error: e.message }))); }
    else audio.pause();
  }
  function setRate(rate, announce) {
    audio.playbackRate = rate;
    audio.defaultPlaybackRate = rate;
    speedButtons.forEach((b) => b.setAttribute("aria-pressed", String(Number(b.dataset.rate) === rate)));
    try { window.localStorage.setItem("articlecast.rate", String(rate)); } catch (e) { /* storage off: fine */ }
    if (announce) say(tr("speed", "Speed {rate} times", { rate }));
  }
  function stepRate(step) {
    const now = rates.indexOf(audio.playbackRate);
    const i = now < 0 ? rates.indexOf(1) : Math.min(Math.max(0, now + step), rates.length - 1);
    setRate(rates[i], true);
  }
  function skip(seconds) {
    seek(audio.currentTime + seconds);
    const where = { n: Math.abs(seconds), time: clockText(audio.currentTime) };
    say(seconds < 0 ? tr("back", "Back {n} seconds, at {time}", where) : tr("forward", "Forward {n} seconds, at {time}", where));
  }
  function playFromCue(i, from = NaN) {
    seek(Number.isFinite(from) ? from : cueStarts[i]);
    if (audio.paused) togglePlay();
  }

  chapters.forEach((b, i) => b.addEventListener("click", () => goToChapter(i)));
  speedButtons.forEach((b) => b.addEventListener("click", () => setRate(Number(b.dataset.rate), true)));
  playButton.addEventListener("click", togglePlay);
  $("#back").addEventListener("click", () => skip(-15));
  $("#forward").addEventListener("click", () => skip(15));
  $("#previous").addEventListener("click", previousChapter);
  $("#next").addEventListener("click", () => goToChapter(chapterNow() + 1));

  cues.forEach((c, i) => {
    c.addEventListener("click", (e) => {
      const selection = window.getSelection();
      if (selection && !selection.isCollapsed) return; // the reader is selecting text, not jumping
      setCueTabStop(i);
      playFromCue(i, wordAt(c, e)); // from the word clicked
    });
    c.addEventListener("keydown", (e) => {
      if (e.ctrlKey || e.altKey || e.metaKey) return;
      const move = { ArrowDown: i + 1, ArrowRight: i + 1, ArrowUp: i - 1, ArrowLeft: i - 1, Home: 0, End: cues.length - 1 }[e.key];
      if (move !== undefined) {
        const j = Math.min(Math.max(0, move), cues.length - 1);
        setCueTabStop(j);
        cues[j].focus();
        e.preventDefault();
      } else if (e.key === "Enter" || e.key === " ") {
        playFromCue(i);
        e.preventDefault();
      }
    });
  });

  const keys = {
    k: togglePlay, j: () => skip(-15), l: () => skip(15), p: previousChapter,
    n: () => goToChapter(chapterNow() + 1), s: () => stepRate(-1), f: () => stepRate(1),
    t: () => {
      update();
      const i = currentCue >= 0 ? currentCue : Math.max(0, lastStartedBy(cueStarts, audio.currentTime));
      if (cues[i]) { setCueTabStop(i); cues[i].focus(); }
    },
  };
  document.addEventListener("keydown", (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.altKey || e.metaKey || !shortcuts.checked) return;
    if (e.target.closest && e.target.closest("input[type=text], input[type=search], textarea, select, [contenteditable]")) return;
    const action = keys[e.key.toLowerCase()];
    if (action) { action(); e.preventDefault(); }
  });

  audio.addEventListener("timeupdate", update);
  audio.addEventListener("seeked", update);
  audio.addEventListener("loadedmetadata", update);
  audio.addEventListener("play", () => { playButton.textContent = tr("pause", "Pause"); });
  audio.addEventListener("pause", () => { playButton.textContent = tr("play", "Play"); });
  audio.addEventListener("ratechange", () => {
    speedButtons.forEach((b) => b.setAttribute("aria-pressed", String(Number(b.dataset.rate) === audio.playbackRate)));
  });

  let saved = NaN;
  try { saved = Number(window.localStorage.getItem("articlecast.rate")); } catch (e) { /* storage off */ }
  setRate(rates.includes(saved) ? saved : 1, false);
  setCueTabStop(0);
  update();
})();

// callqa serve: embedded in the binary. Player seeking, transcript follow, sortable tables.
"use strict";

function seekTo(player, seconds) {
  const go = () => {
    player.currentTime = seconds;
    const p = player.play();
    if (p && p.catch) p.catch(() => {});
  };
  if (player.readyState >= 1) {
    go();
  } else {
    player.addEventListener("loadedmetadata", go, { once: true });
    if (player.networkState === 0 || player.networkState === 3) player.load();
  }
}

document.addEventListener("click", (ev) => {
  const el = ev.target.closest("[data-seek-ms]");
  if (!el) return;
  const player = document.getElementById("player");
  if (!player) return;
  ev.preventDefault();
  seekTo(player, Number(el.dataset.seekMs) / 1000);
  if (el.getAttribute("href") && el.getAttribute("href").startsWith("#")) {
    const target = document.getElementById(el.getAttribute("href").slice(1));
    if (target) target.scrollIntoView({ block: "center", behavior: "smooth" });
  }
});

function follow(player) {
  const ms = player.currentTime * 1000;
  const svg = document.getElementById("timeline");
  if (svg) {
    const dur = Number(svg.dataset.durationMs) || 1;
    const x = Math.min(1000, (ms / dur) * 1000);
    const head = document.getElementById("playhead");
    if (head) { head.setAttribute("x1", x); head.setAttribute("x2", x); }
  }
  for (const li of document.querySelectorAll("#transcript li")) {
    const on = ms >= Number(li.dataset.startMs) && ms < Number(li.dataset.endMs);
    li.classList.toggle("playing", on);
  }
}

function cellValue(td) {
  const v = td.dataset.sort !== undefined ? td.dataset.sort : td.textContent.trim();
  const n = Number(v.replace(/%$/, ""));
  return v !== "" && v !== "–" && !Number.isNaN(n) ? n : v.toLowerCase();
}

function sortable(table) {
  const ths = table.querySelectorAll("thead th");
  ths.forEach((th, col) => {
    th.addEventListener("click", () => {
      const asc = !th.classList.contains("asc");
      ths.forEach((t) => t.classList.remove("asc", "desc"));
      th.classList.add(asc ? "asc" : "desc");
      const body = table.tBodies[0];
      const rows = Array.from(body.rows);
      rows.sort((a, b) => {
        const x = cellValue(a.cells[col]), y = cellValue(b.cells[col]);
        if (typeof x === typeof y) return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
        return (typeof x === "number" ? -1 : 1) * (asc ? 1 : -1);
      });
      rows.forEach((r) => body.appendChild(r));
    });
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const player = document.getElementById("player");
  if (player) player.addEventListener("timeupdate", () => follow(player));
  if (player) player.addEventListener("seeked", () => follow(player));
  document.querySelectorAll("table.sortable").forEach(sortable);
});

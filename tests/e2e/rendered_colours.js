// Given a CSS selector of notices: for each visible notice, every element in it holding text
// of its own, with that text's colour and the colour behind it, as Chromium computed them.
// Backgrounds are laid over one another from the element up (a translucent one lets its
// ancestor's show through), over the page's canvas at the top; a translucent text colour is
// laid over the result. Colours are [red, green, blue, alpha], channels 0-255.
(selector) => {
  const parse = (value) => {
    const m = value.match(
      /^rgba?\(([\d.]+),?\s*([\d.]+),?\s*([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\)$/
    );
    if (!m) return null;
    const alpha =
      m[4] === undefined ? 1 : m[4].endsWith("%") ? parseFloat(m[4]) / 100 : parseFloat(m[4]);
    return [parseFloat(m[1]), parseFloat(m[2]), parseFloat(m[3]), alpha];
  };
  const over = (top, bottom) => {
    const alpha = top[3] + bottom[3] * (1 - top[3]);
    if (alpha === 0) return [0, 0, 0, 0];
    const channel = (i) => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / alpha;
    return [channel(0), channel(1), channel(2), alpha];
  };
  const canvas = () => {
    const dark = matchMedia("(prefers-color-scheme: dark)").matches;
    let base = dark ? [18, 18, 18, 1] : [255, 255, 255, 1];
    for (const element of [document.documentElement, document.body]) {
      const layer = parse(getComputedStyle(element).backgroundColor);
      if (layer && layer[3] > 0) base = over(layer, base);
    }
    return base;
  };
  const background = (element) => {
    const layers = [];
    for (let node = element; node && node.nodeType === 1; node = node.parentElement) {
      const colour = parse(getComputedStyle(node).backgroundColor);
      if (colour && colour[3] > 0) layers.push(colour);
      if (colour && colour[3] >= 1) break;
    }
    let result = canvas();
    for (const layer of layers.reverse()) result = over(layer, result);
    return result;
  };
  const visible = (element) => {
    const box = element.getBoundingClientRect();
    const style = getComputedStyle(element);
    return box.width > 1 && box.height > 1 && style.visibility === "visible" && style.opacity !== "0";
  };
  const ownText = (element) =>
    Array.from(element.childNodes)
      .filter((node) => node.nodeType === Node.TEXT_NODE)
      .map((node) => node.textContent)
      .join("")
      .trim();
  const found = [];
  for (const notice of document.querySelectorAll(selector)) {
    if (!visible(notice)) continue;
    for (const element of [notice, ...notice.querySelectorAll("*")]) {
      const text = ownText(element);
      // A disabled control is exempt from the contrast rule; WCAG says so too.
      if (!text || !visible(element) || element.closest("[disabled]")) continue;
      const colour = parse(getComputedStyle(element).color);
      const behind = background(element);
      found.push({
        notice: notice.className || notice.getAttribute("role") || notice.tagName,
        text: text.slice(0, 60),
        colour: colour && over(colour, behind),
        behind,
        raw: getComputedStyle(element).color,
      });
    }
  }
  return found;
}
